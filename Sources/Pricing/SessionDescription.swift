import Foundation

extension ChargingSession {
    /// The JSON a user describes a session with (`ledger price --session FILE`):
    /// `{"start_date_time": "…Z", "stop_date_time": "…Z", "time_zone": "Europe/Paris",
    /// "meter_values": [{"timestamp": "…Z", "wh": 0}, …], "not_charging": [{"from": "…Z", "to": "…Z"}]}`
    /// (`not_charging` optional).
    ///
    /// Refused, with the path of the culprit: JSON of the wrong shape, an unknown time zone, a
    /// timestamp that is not ISO 8601, a stop before the start, readings not in time order or
    /// decreasing, a not-charging span that ends before it begins.
    public static func decode(_ json: Data) throws(TariffProblem) -> ChargingSession {
        let description: SessionDescription
        do {
            description = try JSONDecoder().decode(SessionDescription.self, from: json)
        } catch let error as DecodingError {
            throw TariffProblem(error)
        } catch {
            throw TariffProblem(path: "", reason: "not a session description: \(error)")
        }
        return try description.session()
    }
}

/// The user's session file, field by field as written.
private struct SessionDescription: Decodable {
    struct Reading: Decodable {
        var timestamp: String
        var wh: Decimal
    }

    struct Span: Decodable {
        var from: String
        var to: String
    }

    var startDateTime: String
    var stopDateTime: String
    var timeZone: String
    var meterValues: [Reading]
    var notCharging: [Span]?

    enum CodingKeys: String, CodingKey {
        case startDateTime = "start_date_time"
        case stopDateTime = "stop_date_time"
        case timeZone = "time_zone"
        case meterValues = "meter_values"
        case notCharging = "not_charging"
    }

    func session() throws(TariffProblem) -> ChargingSession {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw TariffProblem(path: "time_zone", reason: "unknown time zone \"\(timeZone)\": expected an IANA name such as Europe/Paris")
        }
        let start = try Self.instant(startDateTime, at: "start_date_time")
        let stop = try Self.instant(stopDateTime, at: "stop_date_time")
        guard stop >= start else {
            throw TariffProblem(path: "stop_date_time", reason: "stop before start (\(stopDateTime) < \(startDateTime))")
        }
        var readings: [MeterReading] = []
        for (index, reading) in meterValues.enumerated() {
            let at = try Self.instant(reading.timestamp, at: "meter_values[\(index)].timestamp")
            if let previous = readings.last {
                guard at > previous.at else {
                    throw TariffProblem(path: "meter_values[\(index)].timestamp", reason: "not in time order: not after the previous reading")
                }
                guard reading.wh >= previous.wattHours else {
                    throw TariffProblem(
                        path: "meter_values[\(index)].wh",
                        reason: "decreasing: \(reading.wh) Wh is below the previous reading \(previous.wattHours) Wh"
                    )
                }
            }
            readings.append(MeterReading(at: at, wattHours: reading.wh))
        }
        var spans: [DateInterval] = []
        for (index, span) in (notCharging ?? []).enumerated() {
            let from = try Self.instant(span.from, at: "not_charging[\(index)].from")
            let to = try Self.instant(span.to, at: "not_charging[\(index)].to")
            guard to >= from else {
                throw TariffProblem(path: "not_charging[\(index)].to", reason: "ends before it begins (\(span.to) < \(span.from))")
            }
            spans.append(DateInterval(start: from, end: to))
        }
        return ChargingSession(start: start, stop: stop, timeZone: zone, meterValues: readings, notCharging: spans)
    }

    private static func instant(_ text: String, at path: String) throws(TariffProblem) -> Date {
        guard let date = CivilTime.dateTime(text) else {
            throw TariffProblem(path: path, reason: "\"\(text)\" is not an ISO 8601 date-time such as 2024-06-04T08:00:00Z")
        }
        return date
    }
}
