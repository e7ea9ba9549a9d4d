import Foundation

/// A reading of the charger's cumulative energy register.
public struct MeterReading: Sendable, Equatable {
    public var at: Date
    public var wattHours: Decimal

    public init(at: Date, wattHours: Decimal) {
        self.at = at
        self.wattHours = wattHours
    }
}

/// What happened in a session, as the charger reported it.
///
/// Times are instants; `timeZone` is the Location's, in which the tariff's times, days and dates
/// are read (digest §1.4.2 [REC]). Durations and volumes always use real elapsed seconds.
public struct ChargingSession: Sendable, Equatable {
    public var start: Date
    public var stop: Date
    public var timeZone: TimeZone
    /// Cumulative; energy before the first / after the last reading is 0.
    public var meterValues: [MeterReading]
    /// EV not charging (parking); clipped to [start, stop]. Everything else is charging time
    /// (digest §1.4.3 [REC]: EV-side suspension is parking, EVSE-side withholding is not).
    public var notCharging: [DateInterval]

    public init(start: Date, stop: Date, timeZone: TimeZone, meterValues: [MeterReading], notCharging: [DateInterval] = []) {
        self.start = start
        self.stop = stop
        self.timeZone = timeZone
        self.meterValues = meterValues
        self.notCharging = notCharging
    }
}
