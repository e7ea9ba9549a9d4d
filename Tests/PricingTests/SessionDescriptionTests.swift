import Foundation
import Pricing
import Testing

/// The session description `ledger price --session FILE` reads.
@Suite struct SessionDescriptionTests {
    @Test func aDescriptionBecomesTheSessionItDescribes() throws {
        let session = try ChargingSession.decode(Data(describe().utf8))
        #expect(session.start == utc("2024-06-04T08:00:00Z"))
        #expect(session.stop == utc("2024-06-04T09:17:00Z"))
        #expect(session.timeZone.identifier == "Europe/Paris")
        #expect(
            session.meterValues == [
                MeterReading(at: utc("2024-06-04T08:00:00Z"), wattHours: 0),
                MeterReading(at: utc("2024-06-04T08:47:00Z"), wattHours: decimal("9400.5")),
            ]
        )
        #expect(session.notCharging == [DateInterval(start: utc("2024-06-04T08:47:00Z"), end: utc("2024-06-04T09:17:00Z"))])
    }

    @Test func notChargingIsOptionalAndOffsetsAreUnderstood() throws {
        let json =
            #"{"start_date_time": "2024-06-04T10:00:00+02:00", "stop_date_time": "2024-06-04T08:30:00.250Z", "time_zone": "UTC", "meter_values": []}"#
        let session = try ChargingSession.decode(Data(json.utf8))
        #expect(session.start == utc("2024-06-04T08:00:00Z"))
        #expect(session.stop == utc("2024-06-04T08:30:00Z").addingTimeInterval(0.25))
        #expect(session.notCharging == [])
    }

    @Test func anUnknownTimeZoneIsRefused() throws {
        let problem = try #require(throws: TariffProblem.self) { try ChargingSession.decode(Data(describe(timeZone: "Mars/Olympus").utf8)) }
        #expect(problem.path == "time_zone")
        #expect(problem.reason.contains("unknown time zone \"Mars/Olympus\""))
    }

    @Test func aStopBeforeTheStartIsRefused() throws {
        let problem = try #require(throws: TariffProblem.self) { try ChargingSession.decode(Data(describe(stop: "2024-06-04T07:59:59Z").utf8)) }
        #expect(problem.path == "stop_date_time")
        #expect(problem.reason.hasPrefix("stop before start"))
    }

    @Test func aTimestampThatIsNotISO8601IsRefusedAtItsPath() throws {
        let problem = try #require(throws: TariffProblem.self) { try ChargingSession.decode(Data(describe(secondReading: "04/06/2024 08:47").utf8)) }
        #expect(problem.path == "meter_values[1].timestamp")
    }

    @Test func readingsOutOfTimeOrderAreRefused() throws {
        let problem = try #require(throws: TariffProblem.self) {
            try ChargingSession.decode(Data(describe(secondReading: "2024-06-04T08:00:00Z").utf8))
        }
        #expect(problem.path == "meter_values[1].timestamp")
        #expect(problem.reason.hasPrefix("not in time order"))
    }

    @Test func aDecreasingRegisterIsRefused() throws {
        let problem = try #require(throws: TariffProblem.self) { try ChargingSession.decode(Data(describe(secondWh: "-1").utf8)) }
        #expect(problem.path == "meter_values[1].wh")
        #expect(problem.reason.hasPrefix("decreasing"))
    }

    @Test func aNotChargingSpanEndingBeforeItBeginsIsRefused() throws {
        let problem = try #require(throws: TariffProblem.self) { try ChargingSession.decode(Data(describe(parkingTo: "2024-06-04T08:00:00Z").utf8)) }
        #expect(problem.path == "not_charging[0].to")
    }

    @Test func aMissingFieldIsNamed() {
        #expect(throws: TariffProblem(path: "meter_values", reason: "missing field")) {
            try ChargingSession.decode(
                Data(#"{"start_date_time": "2024-06-04T08:00:00Z", "stop_date_time": "2024-06-04T09:00:00Z", "time_zone": "UTC"}"#.utf8)
            )
        }
    }

    private func describe(
        timeZone: String = "Europe/Paris",
        stop: String = "2024-06-04T09:17:00Z",
        secondReading: String = "2024-06-04T08:47:00Z",
        secondWh: String = "9400.5",
        parkingTo: String = "2024-06-04T09:17:00Z"
    ) -> String {
        """
        {"start_date_time": "2024-06-04T08:00:00Z", "stop_date_time": "\(stop)", "time_zone": "\(timeZone)",
         "meter_values": [{"timestamp": "2024-06-04T08:00:00Z", "wh": 0}, {"timestamp": "\(secondReading)", "wh": \(secondWh)}],
         "not_charging": [{"from": "2024-06-04T08:47:00Z", "to": "\(parkingTo)"}]}
        """
    }
}
