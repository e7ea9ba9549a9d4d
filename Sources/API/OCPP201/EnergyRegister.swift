import Foundation
import Ledger
import Projections

/// The energy register readings in an OCPP 2.0.1 `meterValue` array, in Wh: the
/// `Energy.Active.Import.Register` samples of the whole EVSE (no `phase`) at its outlet — the
/// defaults when a sample names none (spec digest ocpp-2.0.1-subset.md §3.7). Values are JSON
/// numbers read as `Decimal`, scaled by `unitOfMeasure` (`kWh` × 1000, × 10^multiplier), and
/// rounded to the Wh the ledger keeps by the one rule for meter readings: half away from zero.
enum EnergyRegister {
    struct Sample: Equatable {
        let reading: SessionsProjection.State.Reading
        /// `Transaction.Begin`, `Sample.Periodic`, `Transaction.End`, …
        let context: String
    }

    static func samples(_ meterValues: JSONValue?) -> [Sample] {
        guard case .array(let values)? = meterValues else { return [] }
        var samples: [Sample] = []
        for value in values {
            guard let time = value["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)), case .array(let sampled)? = value["sampledValue"]
            else { continue }
            for sample in sampled
            where (sample["measurand"]?.stringValue ?? "Energy.Active.Import.Register") == "Energy.Active.Import.Register"
                && sample["phase"] == nil && (sample["location"]?.stringValue ?? "Outlet") == "Outlet"
            {
                guard case .number(let literal)? = sample["value"], let wh = wattHours(literal, unit: sample["unitOfMeasure"]) else { continue }
                samples.append(Sample(reading: .init(at: time, wh: wh), context: sample["context"]?.stringValue ?? "Sample.Periodic"))
            }
        }
        return samples
    }

    /// A register value in Wh, `nil` when it is not a number the ledger can hold.
    static func wattHours(_ literal: String, unit: JSONValue?) -> Int? {
        guard var value = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        if unit?["unit"]?.stringValue == "kWh" { value *= 1000 }
        if let multiplier = unit?["multiplier"]?.int64Value, (-9...9).contains(multiplier) {
            value *= Decimal(sign: .plus, exponent: Int(multiplier), significand: 1)
        }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        guard rounded >= Decimal(Int.min / 2), rounded <= Decimal(Int.max / 2) else { return nil }
        return NSDecimalNumber(decimal: rounded).intValue
    }
}
