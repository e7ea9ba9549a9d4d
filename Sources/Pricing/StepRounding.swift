import Foundation

/// `step_size`, once per session (digest §1.4.5 [REC], from 2.2.1 `mod_cdrs` "step_size"; §1.4.9
/// steps 6 and 7). Never per period or per element: switching element, switching charging →
/// parking or crossing midnight does not round (T-27, T-28, T-34, T-35).
///
/// `step_size` 0 (only meaningful for FLAT, which is never rounded) counts as 1 (digest §1.4.5 [REC]).
enum StepRounding {
    static func apply(to periods: inout [PeriodDraft]) {
        roundEnergy(&periods)
        roundTime(&periods)
    }

    /// The energy of every period with an active ENERGY component, rounded up to a multiple of the
    /// LAST such component's step (Wh); the extra is billed in that last period at its price
    /// (5.4 kWh at step 500 Wh ⇒ 5.5 kWh, not 4.3→4.5 plus 1.1→1.5: T-34).
    private static func roundEnergy(_ periods: inout [PeriodDraft]) {
        guard let last = periods.lastIndex(where: { $0.energy != nil }), let component = periods[last].energy?.component else { return }
        let total = periods.filter { $0.energy != nil }.reduce(Decimal(0)) { $0 + $1.energyWh }
        periods[last].extraWh = total.roundedUp(toMultipleOf: step(component)) - total
    }

    /// TIME and PARKING_TIME together: L is the last period with an active time-based component.
    /// If L is parking, the priced parking time is rounded with L's step and charging time is not
    /// rounded at all (T-05, T-36); if L is charging, the priced charging time is rounded with L's
    /// step (T-08, T-28). Time where no component is active is not billable and not in the total (T-07, T-29).
    private static func roundTime(_ periods: inout [PeriodDraft]) {
        guard let last = periods.lastIndex(where: { $0.timeBased != nil }), let component = periods[last].timeBased?.component else { return }
        let state = periods[last].state
        let total = periods.filter { $0.state == state && $0.timeBased != nil }.reduce(Decimal(0)) { $0 + $1.seconds }
        periods[last].extraSeconds = total.roundedUp(toMultipleOf: step(component)) - total
    }

    private static func step(_ component: PriceComponent) -> Decimal {
        Decimal(max(1, component.stepSize))
    }
}
