import Domain
import Foundation
import Ledger
import Pricing

/// Why a CDR costs what it costs, for a person: each period and component with its measured and
/// billed volume, unit price and amount, then the sum and the rounding. Printed by `ledger audit`,
/// `ledger price` and the ops timeline from what the CDR event recorded.
public enum PriceExplanation {
    public static func lines(_ pricing: CdrPricing, totalCost: Decimal, currency: String) -> [String] {
        var lines = ["priced with tariff \(pricing.tariff.description), times read in \(pricing.timeZone)"]
        for period in pricing.periods {
            lines.append("  from \(period.startDateTime.iso8601) \(period.state)")
            for component in period.components {
                lines.append("    " + describe(component, currency: currency))
            }
        }
        lines.append(
            "  sum \(pricing.exactCost.canonicalText) \(currency), rounded half-up to 2 decimals: total_cost \(totalCost.rounded(scale: 2).canonicalText) \(currency)"
        )
        return lines
    }

    static func describe(_ component: CdrPricing.Component, currency: String) -> String {
        let unit =
            switch component.type {
            case "ENERGY": "kWh"
            case "TIME", "PARKING_TIME": "h"
            default: ""
            }
        var text = "\(component.type) \(component.volume.rounded(scale: 4).canonicalText) \(unit)"
        guard let price = component.unitPrice else { return text + ": no tariff element applies, free" }
        if component.billedVolume != component.volume {
            text += ", billed \(component.billedVolume.rounded(scale: 4).canonicalText) \(unit) (step \(component.stepSize ?? 1))"
        }
        let per = unit.isEmpty ? "" : "/\(unit)"
        return text
            + " × \(price.canonicalText) \(currency)\(per) (element \((component.element ?? 0) + 1)) = \(component.amount.rounded(scale: 4).canonicalText) \(currency)"
    }
}
