import Foundation

/// What a restriction can see at an instant of the session (digest §1.4.9 step 2).
struct Context {
    var wallClock: WallClock
    /// Seconds since the session start, charging and parking alike.
    var elapsed: Decimal
    /// Energy of the session so far, kWh.
    var energyKWh: Decimal
    var powerKW: Decimal
}

/// The component that applies to a dimension, and the element it comes from.
struct Active: Equatable {
    var element: Int
    var component: PriceComponent
}

/// Which element prices each dimension (digest §1.4.1 [REC], from 2.2.1): per dimension, the first
/// element in list order that has a component of that dimension and whose restrictions all hold;
/// only the first component of a dimension within an element counts; none ⇒ the dimension is free.
struct ElementSelection {
    private let candidates: [(element: Int, components: [PriceComponent], restrictions: Restrictions)]
    let cuts: Cuts

    init(_ tariff: Tariff) {
        candidates = tariff.elements.enumerated().map { index, element in
            (index, element.priceComponents, Restrictions(element.restrictions))
        }
        let all = tariff.elements.compactMap(\.restrictions)
        let times = all.flatMap { [$0.startTime, $0.endTime] }.compactMap { $0.flatMap(CivilTime.minutesOfDay) }
        cuts = Cuts(
            minutesOfDay: Array(Set([0] + times)).sorted(),
            elapsedSeconds: all.flatMap { [$0.minDuration, $0.maxDuration] }.compactMap { $0.map { Decimal($0) } },
            energyWh: all.flatMap { [$0.minKwh, $0.maxKwh] }.compactMap { $0.map { $0 * 1_000 } }
        )
    }

    func active(_ dimension: TariffDimension, in context: Context) -> Active? {
        for candidate in candidates {
            guard let component = candidate.components.first(where: { $0.type == dimension }) else { continue }
            if candidate.restrictions.hold(in: context) {
                return Active(element: candidate.element, component: component)
            }
        }
        return nil
    }
}

/// One element's restrictions, parsed once and evaluated as digest §1.4.2's table says.
///
/// A time or date that cannot be read (a tariff with `problems()`) makes the restriction never
/// hold: an element must not apply under a condition nobody can check.
private struct Restrictions {
    private var unreadable = false
    private var startSecond: Decimal?
    private var endSecond: Decimal?
    private var startDay: Int?
    private var endDay: Int?
    private var days: Set<DayOfWeek>?
    private var minKwh, maxKwh, minPower, maxPower, minDuration, maxDuration: Decimal?

    init(_ restrictions: TariffRestrictions?) {
        guard let restrictions else { return }
        if let text = restrictions.startTime {
            startSecond = CivilTime.minutesOfDay(text).map { Decimal($0 * 60) }
            unreadable = unreadable || startSecond == nil
        }
        if let text = restrictions.endTime {
            // `end_time` 00:00 is the end of the day (24:00), not its start.
            endSecond = CivilTime.minutesOfDay(text).map { Decimal($0 == 0 ? 86_400 : $0 * 60) }
            unreadable = unreadable || endSecond == nil
        }
        if let text = restrictions.startDate {
            startDay = CivilTime.day(text)
            unreadable = unreadable || startDay == nil
        }
        if let text = restrictions.endDate {
            endDay = CivilTime.day(text)
            unreadable = unreadable || endDay == nil
        }
        if let list = restrictions.dayOfWeek, !list.isEmpty {
            days = Set(list)
        }
        minKwh = restrictions.minKwh
        maxKwh = restrictions.maxKwh
        minPower = restrictions.minPower
        maxPower = restrictions.maxPower
        minDuration = restrictions.minDuration.map { Decimal($0) }
        maxDuration = restrictions.maxDuration.map { Decimal($0) }
    }

    func hold(in context: Context) -> Bool {
        !unreadable && timeOfDayHolds(context.wallClock.secondOfDay)
            && startDay.map { context.wallClock.day >= $0 } ?? true
            && endDay.map { context.wallClock.day < $0 } ?? true
            && days.map { $0.contains(context.wallClock.weekday) } ?? true
            && Self.within(context.energyKWh, min: minKwh, max: maxKwh)
            && Self.within(context.powerKW, min: minPower, max: maxPower)
            && Self.within(context.elapsed, min: minDuration, max: maxDuration)
    }

    /// `start ≤ t < end`; when `end < start` the span wraps past midnight: `t ≥ start or t < end`.
    private func timeOfDayHolds(_ second: Decimal) -> Bool {
        switch (startSecond, endSecond) {
        case (let start?, let end?) where end < start: second >= start || second < end
        case (let start?, let end?): second >= start && second < end
        case (let start?, nil): second >= start
        case (nil, let end?): second < end
        case (nil, nil): true
        }
    }

    /// Min inclusive, max exclusive.
    private static func within(_ value: Decimal, min: Decimal?, max: Decimal?) -> Bool {
        (min.map { value >= $0 } ?? true) && (max.map { value < $0 } ?? true)
    }
}
