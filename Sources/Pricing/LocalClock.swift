import Foundation

extension Date {
    /// This instant as exact decimal seconds since 1970, to the millisecond.
    ///
    /// `Date` holds a binary `Double`; pricing works on decimal seconds so that durations, and the
    /// volumes and amounts made of them, stay exact (digest §1.4.7 [REC]: no binary floats). A
    /// millisecond is finer than any OCPP or OCPI timestamp.
    var exactSeconds: Decimal {
        Decimal(milliseconds: Int64((timeIntervalSince1970 * 1_000).rounded()))
    }
}

extension Decimal {
    /// The instant `self` seconds after 1970 (for reporting period starts).
    var instant: Date {
        Date(timeIntervalSince1970: NSDecimalNumber(decimal: self).doubleValue)
    }
}

/// Where an instant falls on the Location's wall clock.
struct WallClock {
    /// Local civil day, counted from 1970-01-01.
    var day: Int
    /// Seconds since local midnight.
    var secondOfDay: Decimal

    var weekday: DayOfWeek { DayOfWeek(civilDay: day) }
}

/// The Location's time zone: restrictions are read in local wall-clock time, DST-aware, while all
/// durations stay real elapsed seconds (digest §1.4.2 [REC], vectors T-04 and T-08).
struct LocalClock {
    let zone: TimeZone

    func wallClock(at instant: Decimal) -> WallClock {
        let (day, secondOfDay) = (instant + Decimal(offset(at: instant))).dayAndSecond
        return WallClock(day: day, secondOfDay: secondOfDay)
    }

    /// Every instant strictly inside (`from`, `to`) where the wall clock shows one of `minutesOfDay`,
    /// plus every instant where the zone's offset changes (the wall clock jumps there, so a
    /// time-of-day restriction can switch without its time ever being shown, e.g. 02:30 on the
    /// day DST starts). A time shown twice (the hour repeated when DST ends) gives both instants.
    func instants(showing minutesOfDay: [Int], from: Decimal, to: Decimal) -> [Decimal] {
        var found: [Decimal] = []
        var offsets: Set<Int> = [offset(at: from)]
        var cursor = from.instant
        while let transition = zone.nextDaylightSavingTimeTransition(after: cursor), transition.exactSeconds < to {
            found.append(transition.exactSeconds)
            offsets.insert(offset(at: transition.exactSeconds))
            cursor = transition
        }
        let firstDay = (from + Decimal(offsets.min() ?? 0)).dayAndSecond.day
        let lastDay = (to + Decimal(offsets.max() ?? 0)).dayAndSecond.day
        for day in firstDay...lastDay {
            for minute in minutesOfDay {
                let local = Decimal(day * 86_400 + minute * 60)
                for offset in offsets {
                    let instant = local - Decimal(offset)
                    if instant > from, instant < to, self.offset(at: instant) == offset {
                        found.append(instant)
                    }
                }
            }
        }
        return found
    }

    private func offset(at instant: Decimal) -> Int {
        zone.secondsFromGMT(for: instant.instant)
    }
}
