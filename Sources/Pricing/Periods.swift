import Foundation

/// A ChargingPeriod before it is priced: one state, one active component per dimension, and the
/// extra volume the step rounding bills in it.
struct PeriodDraft {
    var start: Decimal
    var end: Decimal
    var state: ChargingState
    var energyAtStart: Decimal
    var energyAtEnd: Decimal
    /// The ENERGY component, looked for only where energy flows (digest §1.4.9 step 3).
    var energy: Active?
    /// TIME while charging, PARKING_TIME while parking.
    var timeBased: Active?
    /// Added by `StepRounding`: Wh and seconds billed beyond the measured volume.
    var extraWh: Decimal = 0
    var extraSeconds: Decimal = 0

    var seconds: Decimal { end - start }
    /// From the register at both ends, not a sum of slices, so that it stays exact.
    var energyWh: Decimal { energyAtEnd - energyAtStart }

    /// The timeline's slices, each priced at its midpoint and merged with its neighbour when the
    /// state and the active components are the same (digest §1.4.9 steps 2–4: the minimal split).
    ///
    /// Every restriction is min-inclusive and max-exclusive and every place where one can change
    /// is a slice edge, so a restriction has one truth value over a whole slice: the midpoint
    /// gives the value at the slice's start, without being fooled by an edge that was
    /// interpolated (an energy threshold) landing a 10⁻³⁴ s off.
    static func periods(of timeline: Timeline, clock: LocalClock, selection: ElementSelection) -> [PeriodDraft] {
        var periods: [PeriodDraft] = []
        for slice in timeline.slices {
            let context = Context(
                wallClock: clock.wallClock(at: slice.midpoint),
                elapsed: slice.midpoint - timeline.start,
                energyKWh: (slice.energyAtStart + slice.energyAtEnd).halved.thousandths,
                powerKW: slice.powerKW
            )
            let energy = slice.energyWh > 0 ? selection.active(.energy, in: context) : nil
            let timeBased = selection.active(slice.state == .charging ? .time : .parkingTime, in: context)
            if let last = periods.last, last.state == slice.state, last.energy == energy, last.timeBased == timeBased {
                periods[periods.count - 1].end = slice.end
                periods[periods.count - 1].energyAtEnd = slice.energyAtEnd
            } else {
                periods.append(
                    PeriodDraft(
                        start: slice.start,
                        end: slice.end,
                        state: slice.state,
                        energyAtStart: slice.energyAtStart,
                        energyAtEnd: slice.energyAtEnd,
                        energy: energy,
                        timeBased: timeBased
                    )
                )
            }
        }
        return periods
    }
}
