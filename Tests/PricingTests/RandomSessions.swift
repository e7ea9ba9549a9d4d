import Foundation
import Pricing

/// SplitMix64: a deterministic pseudo-random generator, so a failing case is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A session as a run of segments, each charging (with its energy) or parking; it becomes a
/// `ChargingSession` with a reading at the start and at the end of every segment, as the fixture's
/// sessions are written.
struct SegmentedSession {
    enum Segment {
        case charging(seconds: Int, wattHours: Decimal)
        case parking(seconds: Int)

        var seconds: Int {
            switch self {
            case .charging(let seconds, _), .parking(let seconds): seconds
            }
        }
    }

    var start: Date
    var segments: [Segment]

    /// 1 to 4 segments of 1 to 120 minutes, charging at 0 to 60 kW or parking, starting at any
    /// minute of 2024 in Paris (so days, DST changes and every restriction edge get crossed).
    static func random(using generator: inout SplitMix64) -> SegmentedSession {
        let start = utc("2024-01-01T00:00:00Z").addingTimeInterval(Double(Int.random(in: 0..<(366 * 1_440), using: &generator) * 60))
        let segments = (0..<Int.random(in: 1...4, using: &generator)).map { _ -> Segment in
            let seconds = Int.random(in: 1...120, using: &generator) * 60
            guard Bool.random(using: &generator) else { return .parking(seconds: seconds) }
            return .charging(seconds: seconds, wattHours: Decimal(Int.random(in: 0...(seconds * 60_000 / 3_600), using: &generator)))
        }
        return SegmentedSession(start: start, segments: segments)
    }

    /// The same times with `factor` times the energy.
    func scalingEnergy(by factor: Decimal) -> SegmentedSession {
        var scaled = self
        scaled.segments = segments.map { segment in
            guard case .charging(let seconds, let wattHours) = segment else { return segment }
            return .charging(seconds: seconds, wattHours: wattHours * factor)
        }
        return scaled
    }

    /// The last segment, charging (at the same power) or parking, lasts `seconds` longer.
    func extended(by seconds: Int) -> SegmentedSession {
        var longer = self
        switch segments[segments.count - 1] {
        case .charging(let length, let wattHours):
            longer.segments[segments.count - 1] = .charging(
                seconds: length + seconds,
                wattHours: wattHours * Decimal(length + seconds) / Decimal(length)
            )
        case .parking(let length):
            longer.segments[segments.count - 1] = .parking(seconds: length + seconds)
        }
        return longer
    }

    var session: ChargingSession {
        var time = start
        var wattHours = Decimal(0)
        var readings = [MeterReading(at: time, wattHours: 0)]
        var parking: [DateInterval] = []
        for segment in segments {
            let end = time.addingTimeInterval(Double(segment.seconds))
            switch segment {
            case .charging(_, let energy): wattHours += energy
            case .parking: parking.append(DateInterval(start: time, end: end))
            }
            readings.append(MeterReading(at: end, wattHours: wattHours))
            time = end
        }
        return ChargingSession(start: start, stop: time, timeZone: TimeZone(identifier: "Europe/Paris")!, meterValues: readings, notCharging: parking)
    }
}
