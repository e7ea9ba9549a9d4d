import Foundation

/// Where a tariff's restrictions can change their truth value (digest §1.4.4 [REC] split points
/// 2–4; power, the fifth, only changes where the meter interval or the state does).
struct Cuts {
    /// Local times of day, in minutes (always including midnight, for days and dates).
    var minutesOfDay: [Int]
    /// Seconds after the session start (`min_duration`/`max_duration`).
    var elapsedSeconds: [Decimal]
    /// Energy of the session so far, Wh (`min_kwh`/`max_kwh`).
    var energyWh: [Decimal]
}

/// The session cut into slices inside which nothing a restriction can see changes: state, power,
/// local time of day, day, date, and which side of every duration and energy threshold we are on
/// (digest §1.4.9 steps 1–2). All in exact decimal seconds since 1970.
struct Timeline {
    /// `[start, end)`, with the energy register interpolated linearly inside.
    struct Slice {
        var start: Decimal
        var end: Decimal
        var state: ChargingState
        /// kW: the meter interval's energy over its charging hours; 0 outside that charging time.
        var powerKW: Decimal
        /// Energy of the session up to `start` and `end`, Wh.
        var energyAtStart: Decimal
        var energyAtEnd: Decimal

        var seconds: Decimal { end - start }
        var energyWh: Decimal { energyAtEnd - energyAtStart }
        var midpoint: Decimal { (start + end).halved }
    }

    let start: Decimal
    let stop: Decimal
    let slices: [Slice]

    /// A stop before the start (possible only through the public initialiser; `decode` refuses it)
    /// is read as a session of no duration.
    init(_ session: ChargingSession, clock: LocalClock, cuts: Cuts) {
        let start = session.start.exactSeconds
        let stop = max(start, session.stop.exactSeconds)
        self.start = start
        self.stop = stop
        guard stop > start else {
            slices = [Slice(start: start, end: start, state: .charging, powerKW: 0, energyAtStart: 0, energyAtEnd: 0)]
            return
        }
        let parking = Parking(session.notCharging, from: start, to: stop)
        let register = Register(session.meterValues, parking: parking)
        let atStart = register.wattHours(at: start)
        let localCuts = clock.instants(showing: cuts.minutesOfDay, from: start, to: stop)
        let elapsedCuts = cuts.elapsedSeconds.map { start + $0 }

        // Stretches: between meter readings and charging⇄parking transitions the energy flows at
        // one rate (digest §1.4.9 input: "energy per interval, linear inside").
        var edges = Set([start, stop])
        for time in register.times + parking.edges where time > start && time < stop {
            edges.insert(time)
        }
        let stretchEdges = edges.sorted()
        var slices: [Slice] = []
        for (from, to) in zip(stretchEdges, stretchEdges.dropFirst()) {
            let state: ChargingState = parking.contains((from + to).halved) ? .parking : .charging
            let flow = register.flow(from: from, to: to, state: state)
            let energyFrom = register.wattHours(at: from) - atStart
            let energyTo = register.wattHours(at: to) - atStart
            var inner = Set((localCuts + elapsedCuts).filter { $0 > from && $0 < to })
            for target in cuts.energyWh where min(energyFrom, energyTo) < target && target < max(energyFrom, energyTo) {
                inner.insert(from + (target - energyFrom) * (to - from) / (energyTo - energyFrom))
            }
            let points = [from] + inner.sorted() + [to]
            for (sliceStart, sliceEnd) in zip(points, points.dropFirst()) {
                slices.append(
                    Slice(
                        start: sliceStart,
                        end: sliceEnd,
                        state: state,
                        powerKW: flow,
                        energyAtStart: sliceStart == from ? energyFrom : register.wattHours(at: sliceStart) - atStart,
                        energyAtEnd: sliceEnd == to ? energyTo : register.wattHours(at: sliceEnd) - atStart
                    )
                )
            }
        }
        self.slices = slices
    }
}

/// The not-charging spans, clipped to the session and merged: sorted and disjoint.
private struct Parking {
    let spans: [(from: Decimal, to: Decimal)]

    init(_ intervals: [DateInterval], from start: Decimal, to stop: Decimal) {
        let clipped =
            intervals
            .map { (from: max(start, $0.start.exactSeconds), to: min(stop, $0.end.exactSeconds)) }
            .filter { $0.from < $0.to }
            .sorted { $0.from < $1.from }
        var merged: [(from: Decimal, to: Decimal)] = []
        for span in clipped {
            if let last = merged.last, span.from <= last.to {
                merged[merged.count - 1].to = max(last.to, span.to)
            } else {
                merged.append(span)
            }
        }
        spans = merged
    }

    var edges: [Decimal] { spans.flatMap { [$0.from, $0.to] } }

    func contains(_ instant: Decimal) -> Bool {
        spans.contains { $0.from <= instant && instant < $0.to }
    }

    /// Seconds of parking inside [from, to].
    func overlap(from: Decimal, to: Decimal) -> Decimal {
        spans.reduce(Decimal(0)) { total, span in
            total + max(0, min(to, span.to) - max(from, span.from))
        }
    }
}

/// The cumulative energy register between readings.
///
/// The energy of two consecutive readings is spread evenly over the charging time between them, or
/// over the whole interval if the EV was not charging at all in it; nothing flows before the first
/// or after the last reading. Time outside the session counts as charging, so a reading interval
/// that straddles the start or stop contributes only its share inside the session.
private struct Register {
    private struct Interval {
        var from: Decimal
        var to: Decimal
        var fromWh: Decimal
        var deltaWh: Decimal
        /// Seconds the energy is spread over.
        var spread: Decimal
        /// No charging time in the interval, so the energy is spread over all of it.
        var spreadOverAll: Bool
    }

    private let intervals: [Interval]
    private let parking: Parking
    private let first: (at: Decimal, wh: Decimal)?
    private let last: (at: Decimal, wh: Decimal)?
    let times: [Decimal]

    init(_ readings: [MeterReading], parking: Parking) {
        let points = readings.map { (at: $0.at.exactSeconds, wh: $0.wattHours) }.sorted { $0.at < $1.at }
        var intervals: [Interval] = []
        for (from, to) in zip(points, points.dropFirst()) where to.at > from.at {
            let charging = (to.at - from.at) - parking.overlap(from: from.at, to: to.at)
            intervals.append(
                Interval(
                    from: from.at,
                    to: to.at,
                    fromWh: from.wh,
                    deltaWh: to.wh - from.wh,
                    spread: charging > 0 ? charging : to.at - from.at,
                    spreadOverAll: charging <= 0
                )
            )
        }
        self.intervals = intervals
        self.parking = parking
        first = points.first
        last = points.last
        times = points.map(\.at)
    }

    /// The register at `instant`, interpolated.
    func wattHours(at instant: Decimal) -> Decimal {
        guard let first, let last else { return 0 }
        if instant <= first.at { return first.wh }
        if instant >= last.at { return last.wh }
        guard let interval = intervals.first(where: { $0.from <= instant && instant < $0.to }) else { return last.wh }
        let elapsed = instant - interval.from
        let flowing = interval.spreadOverAll ? elapsed : elapsed - parking.overlap(from: interval.from, to: instant)
        return interval.fromWh + interval.deltaWh * flowing / interval.spread
    }

    /// Power in kW over a stretch [from, to] that lies inside one reading interval.
    func flow(from: Decimal, to: Decimal, state: ChargingState) -> Decimal {
        guard let interval = intervals.first(where: { $0.from <= from && to <= $0.to }),
            interval.spreadOverAll || state == .charging
        else { return 0 }
        // Wh per second × 3600 s/h ÷ 1000 W/kW, multiplied first so that 1000 Wh over 225 s is
        // exactly 16 kW (a max_power of 16 is exclusive: vector T-31).
        return interval.deltaWh * 36 / (interval.spread * 10)
    }
}
