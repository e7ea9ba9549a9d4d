import Foundation

extension Tariff {
    /// Everything semantically wrong, each with its path: empty id or id > 36 chars, currency not 3
    /// uppercase letters, no elements, an element with no price components, negative price, negative
    /// step_size, start_time/end_time not HH:MM (regex ([0-1][0-9]|2[0-3]):[0-5][0-9]), start_date/end_date
    /// not a real YYYY-MM-DD, end_date not after start_date ("end before start"), min_kwh > max_kwh,
    /// min_power > max_power, min_duration > max_duration, negative kwh/power/duration, last_updated not
    /// an ISO 8601 date-time. (end_time < start_time is VALID: it wraps past midnight.)
    ///
    /// The cardinalities and formats are OCPI 2.1.1 `mod_tariffs.md` §3.1 and §4 (digest §1.1, TR-03…TR-06).
    /// A min/max pair in the wrong order is reported at the max field, a date pair at `end_date`.
    public func problems() -> [TariffProblem] {
        var found: [TariffProblem] = []
        if id.isEmpty {
            found.append(TariffProblem(path: "id", reason: "empty"))
        } else if id.count > 36 {
            found.append(TariffProblem(path: "id", reason: "longer than 36 characters (\(id.count))"))
        }
        if currency.wholeMatch(of: #/[A-Z]{3}/#) == nil {
            found.append(TariffProblem(path: "currency", reason: "\"\(currency)\" is not an ISO 4217 code of 3 uppercase letters"))
        }
        if elements.isEmpty {
            found.append(TariffProblem(path: "elements", reason: "no elements: a tariff needs at least one"))
        }
        for (index, element) in elements.enumerated() {
            found += element.problems(at: "elements[\(index)]")
        }
        if CivilTime.dateTime(lastUpdated) == nil {
            found.append(TariffProblem(path: "last_updated", reason: "\"\(lastUpdated)\" is not an ISO 8601 date-time"))
        }
        return found
    }
}

extension TariffElement {
    fileprivate func problems(at path: String) -> [TariffProblem] {
        var found: [TariffProblem] = []
        if priceComponents.isEmpty {
            found.append(TariffProblem(path: "\(path).price_components", reason: "no price components: an element needs at least one"))
        }
        for (index, component) in priceComponents.enumerated() {
            let at = "\(path).price_components[\(index)]"
            if component.price < 0 {
                found.append(TariffProblem(path: "\(at).price", reason: "negative price \(component.price)"))
            }
            if component.stepSize < 0 {
                found.append(TariffProblem(path: "\(at).step_size", reason: "negative step_size \(component.stepSize)"))
            }
        }
        if let restrictions {
            found += restrictions.problems(at: "\(path).restrictions")
        }
        return found
    }
}

extension TariffRestrictions {
    fileprivate func problems(at path: String) -> [TariffProblem] {
        var found: [TariffProblem] = []
        for (name, value) in [("start_time", startTime), ("end_time", endTime)] {
            if let value, CivilTime.minutesOfDay(value) == nil {
                found.append(TariffProblem(path: "\(path).\(name)", reason: "\"\(value)\" is not a time HH:MM from 00:00 to 23:59"))
            }
        }
        let start = startDate.map { (text: $0, day: CivilTime.day($0)) }
        let end = endDate.map { (text: $0, day: CivilTime.day($0)) }
        for (name, date) in [("start_date", start), ("end_date", end)] {
            if let date, date.day == nil {
                found.append(TariffProblem(path: "\(path).\(name)", reason: "\"\(date.text)\" is not a real date YYYY-MM-DD"))
            }
        }
        if let start, let end, let startDay = start.day, let endDay = end.day, endDay <= startDay {
            found.append(
                TariffProblem(path: "\(path).end_date", reason: "end before start: end_date \(end.text) must be after start_date \(start.text)")
            )
        }
        found += Self.rangeProblems(path: path, name: "kwh", min: minKwh, max: maxKwh)
        found += Self.rangeProblems(path: path, name: "power", min: minPower, max: maxPower)
        found += Self.rangeProblems(path: path, name: "duration", min: minDuration.map { Decimal($0) }, max: maxDuration.map { Decimal($0) })
        return found
    }

    private static func rangeProblems(path: String, name: String, min: Decimal?, max: Decimal?) -> [TariffProblem] {
        var found: [TariffProblem] = []
        for (field, value) in [("min_\(name)", min), ("max_\(name)", max)] {
            if let value, value < 0 {
                found.append(TariffProblem(path: "\(path).\(field)", reason: "negative \(field) \(value)"))
            }
        }
        if let min, let max, min > max {
            found.append(TariffProblem(path: "\(path).max_\(name)", reason: "max_\(name) \(max) is below min_\(name) \(min)"))
        }
        return found
    }
}
