import Foundation

/// Prices a charging session with an OCPI 2.1.1 Tariff, by the reference algorithm of the spec
/// digest §1.4.9 ([REC]s of §1.4.1–1.4.7; vectors T-01…T-36 of §2).
public enum Pricing {
    /// Decimal throughout: volumes, amounts and the total never pass through a binary float.
    /// The tariff is the one in force at the session start (digest §1.4.8 [REC]); one without
    /// `problems()` is expected, and an unreadable restriction simply never holds.
    public static func price(_ session: ChargingSession, with tariff: Tariff) -> PriceResult {
        let clock = LocalClock(zone: session.timeZone)
        let selection = ElementSelection(tariff)
        let timeline = Timeline(session, clock: clock, cuts: selection.cuts)
        var drafts = PeriodDraft.periods(of: timeline, clock: clock, selection: selection)
        StepRounding.apply(to: &drafts)

        let flat = flatFee(timeline, clock: clock, selection: selection)
        var periods = drafts.map(priced)
        if let flat, !periods.isEmpty {
            periods[0].components.insert(flat, at: 0)
        }
        let exactCost = periods.flatMap(\.components).reduce(Decimal(0)) { $0 + $1.amount }
        let parkingSeconds = timeline.slices.filter { $0.state == .parking }.reduce(Decimal(0)) { $0 + $1.seconds }
        return PriceResult(
            tariffId: tariff.id,
            tariffLastUpdated: tariff.lastUpdated,
            currency: tariff.currency,
            periods: periods,
            exactCost: exactCost,
            totalCost: exactCost.rounded(scale: 2),
            totalEnergy: (timeline.slices.last?.energyAtEnd ?? 0).thousandths,
            totalTime: (timeline.stop - timeline.start) / 3_600,
            totalParkingTime: parkingSeconds / 3_600
        )
    }

    /// FLAT: the first element with a FLAT component whose restrictions hold at the session start,
    /// charged once, volume 1, step_size ignored (digest §1.4.6 [REC], §1.4.9 step 5).
    private static func flatFee(_ timeline: Timeline, clock: LocalClock, selection: ElementSelection) -> PricedComponent? {
        let context = Context(
            wallClock: clock.wallClock(at: timeline.start),
            elapsed: 0,
            energyKWh: 0,
            powerKW: timeline.slices.first?.powerKW ?? 0
        )
        guard let active = selection.active(.flat, in: context) else { return nil }
        return PricedComponent(
            dimension: .flat,
            volume: 1,
            billedVolume: 1,
            unitPrice: active.component.price,
            stepSize: active.component.stepSize,
            element: active.element,
            amount: active.component.price
        )
    }

    /// A charging period carries ENERGY (priced or free) and TIME; a parking period PARKING_TIME,
    /// and ENERGY only when energy flowed in it (digest §2.0).
    private static func priced(_ draft: PeriodDraft) -> PricedPeriod {
        var components: [PricedComponent] = []
        if draft.state == .charging || draft.energyWh > 0 {
            components.append(
                component(.energy, measured: draft.energyWh, extra: draft.extraWh, inVolume: \.thousandths, active: draft.energy)
            )
        }
        components.append(
            component(
                draft.state == .charging ? .time : .parkingTime,
                measured: draft.seconds,
                extra: draft.extraSeconds,
                inVolume: { $0 / 3_600 },
                active: draft.timeBased
            )
        )
        return PricedPeriod(start: draft.start.instant, state: draft.state, components: components)
    }

    /// Volumes are counted in step units (Wh, s) and reported in CDR units (kWh, h): `inVolume`
    /// divides by the units per volume (Wh by 1,000 through `thousandths`, seconds by 3,600). The
    /// amount is billed units × price ÷ units per volume — billedVolume × unitPrice with one
    /// division instead of two, so that 600 s at 5 €/h is not 0.1666…7 h × 5.
    private static func component(
        _ dimension: TariffDimension,
        measured: Decimal,
        extra: Decimal,
        inVolume: (Decimal) -> Decimal,
        active: Active?
    ) -> PricedComponent {
        let billed = measured + extra
        return PricedComponent(
            dimension: dimension,
            volume: inVolume(measured),
            billedVolume: inVolume(billed),
            unitPrice: active?.component.price,
            stepSize: active?.component.stepSize,
            element: active?.element,
            amount: active.map { inVolume(billed * $0.component.price) } ?? 0
        )
    }
}
