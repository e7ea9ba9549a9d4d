import Foundation
import Pricing
import Testing

/// `Tariff.decode` refuses the wrong shape and `problems()` the wrong values, each at its path
/// (OCPI 2.1.1 `mod_tariffs.md` §3–4, digest §1.1, TR-03…TR-06).
@Suite struct TariffValidationTests {
    @Test func aValidTariffHasNoProblems() throws {
        #expect(
            try tariff(restrictions: #"{"start_time": "22:00", "end_time": "06:00", "start_date": "2024-02-29", "end_date": "2024-03-01"}"#)
                .problems() == []
        )
    }

    @Test func anUnknownDimensionIsRefusedAtItsPath() {
        #expect(
            throws: TariffProblem(
                path: "elements[0].price_components[0].type",
                reason: #"unknown dimension "SESSION_TIME": expected ENERGY, FLAT, PARKING_TIME, TIME"#
            )
        ) {
            try tariff(component: #"{"type": "SESSION_TIME", "price": 1.00, "step_size": 1}"#)
        }
    }

    @Test func anUnknownDayIsRefusedAtItsPath() {
        #expect(
            throws: TariffProblem(
                path: "elements[0].restrictions.day_of_week[1]",
                reason: #"unknown day "FUNDAY": expected MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY"#
            )
        ) {
            try tariff(restrictions: #"{"day_of_week": ["MONDAY", "FUNDAY"]}"#)
        }
    }

    /// TR-05: the 2.1.1 CDR example's `"price": "2.00"` is a string, not a number.
    @Test func aPriceWrittenAsAStringIsTheWrongType() {
        #expect(throws: TariffProblem(path: "elements[0].price_components[0].price", reason: "wrong type: expected a number")) {
            try tariff(component: #"{"type": "TIME", "price": "2.00", "step_size": 300}"#)
        }
    }

    @Test func aMissingRequiredFieldIsNamed() {
        #expect(throws: TariffProblem(path: "elements[0].price_components[0].step_size", reason: "missing field")) {
            try tariff(component: #"{"type": "TIME", "price": 2.00}"#)
        }
        #expect(throws: TariffProblem(path: "currency", reason: "missing field")) {
            try Tariff.decode(Data(#"{"id": "1", "elements": [], "last_updated": "2024-01-01T00:00:00Z"}"#.utf8))
        }
    }

    @Test func textThatIsNotJSONIsRefused() throws {
        let problem = try #require(throws: TariffProblem.self) { try Tariff.decode(Data("{".utf8)) }
        #expect(problem.path == "")
        #expect(problem.reason.hasPrefix("not valid JSON"))
    }

    @Test func aNegativePriceIsAProblem() throws {
        #expect(
            try tariff(component: #"{"type": "ENERGY", "price": -0.25, "step_size": 1}"#).problems() == [
                TariffProblem(path: "elements[0].price_components[0].price", reason: "negative price -0.25")
            ]
        )
    }

    @Test func aNegativeStepSizeIsAProblem() throws {
        #expect(
            try tariff(component: #"{"type": "ENERGY", "price": 0.25, "step_size": -1}"#).problems().map(\.path) == [
                "elements[0].price_components[0].step_size"
            ]
        )
    }

    @Test func anEndDateBeforeTheStartDateIsAProblem() throws {
        #expect(
            try tariff(restrictions: #"{"start_date": "2024-06-05", "end_date": "2024-06-01"}"#).problems() == [
                TariffProblem(
                    path: "elements[0].restrictions.end_date",
                    reason: "end before start: end_date 2024-06-01 must be after start_date 2024-06-05"
                )
            ]
        )
    }

    @Test func anEndDateEqualToTheStartDateIsAProblemBecauseTheEndIsExclusive() throws {
        #expect(
            try tariff(restrictions: #"{"start_date": "2024-06-05", "end_date": "2024-06-05"}"#).problems().map(\.path) == [
                "elements[0].restrictions.end_date"
            ]
        )
    }

    @Test func aDateThatDoesNotExistIsAProblem() throws {
        #expect(try tariff(restrictions: #"{"start_date": "2023-02-29"}"#).problems().map(\.path) == ["elements[0].restrictions.start_date"])
    }

    @Test func aMinKwhAboveTheMaxKwhIsAProblem() throws {
        #expect(
            try tariff(restrictions: #"{"min_kwh": 10, "max_kwh": 5}"#).problems() == [
                TariffProblem(path: "elements[0].restrictions.max_kwh", reason: "max_kwh 5 is below min_kwh 10")
            ]
        )
    }

    @Test func minAboveMaxPowerOrDurationAndNegativeBoundsAreProblems() throws {
        #expect(try tariff(restrictions: #"{"min_power": 22, "max_power": 11}"#).problems().map(\.path) == ["elements[0].restrictions.max_power"])
        #expect(
            try tariff(restrictions: #"{"min_duration": 600, "max_duration": 60}"#).problems().map(\.path) == [
                "elements[0].restrictions.max_duration"
            ]
        )
        #expect(
            try tariff(restrictions: #"{"min_kwh": -1, "max_power": -2, "min_duration": -3}"#).problems().map(\.path) == [
                "elements[0].restrictions.min_kwh", "elements[0].restrictions.max_power", "elements[0].restrictions.min_duration",
            ]
        )
    }

    /// TR-04: the time regex `([0-1][0-9]|2[0-3]):[0-5][0-9]`.
    @Test(arguments: ["24:00", "9:00", "12:60", "12:00:00"])
    func aTimeOutsideHHMMIsAProblem(_ time: String) throws {
        #expect(
            try tariff(restrictions: #"{"start_time": "\#(time)"}"#).problems() == [
                TariffProblem(path: "elements[0].restrictions.start_time", reason: #""\#(time)" is not a time HH:MM from 00:00 to 23:59"#)
            ]
        )
        #expect(try tariff(restrictions: #"{"end_time": "\#(time)"}"#).problems().map(\.path) == ["elements[0].restrictions.end_time"])
    }

    /// TR-06 and the cardinalities of §1.1.
    @Test func aTariffWithoutElementsOrAnElementWithoutComponentsIsAProblem() throws {
        let empty = try Tariff.decode(Data(#"{"id": "1", "currency": "EUR", "elements": [], "last_updated": "2024-01-01T00:00:00Z"}"#.utf8))
        #expect(empty.problems().map(\.path) == ["elements"])
        let bare = try Tariff.decode(
            Data(#"{"id": "1", "currency": "EUR", "elements": [{"price_components": []}], "last_updated": "2024-01-01T00:00:00Z"}"#.utf8)
        )
        #expect(bare.problems().map(\.path) == ["elements[0].price_components"])
    }

    @Test func theIdCurrencyAndLastUpdatedAreChecked() throws {
        var wrong = try tariff()
        wrong.id = String(repeating: "x", count: 37)
        wrong.currency = "eur"
        wrong.lastUpdated = "yesterday"
        #expect(wrong.problems().map(\.path) == ["id", "currency", "last_updated"])
        wrong.id = ""
        #expect(wrong.problems().first == TariffProblem(path: "id", reason: "empty"))
        var fine = try tariff()
        fine.id = String(repeating: "x", count: 36)
        fine.lastUpdated = "2015-06-29T20:39:09"
        #expect(fine.problems() == [])
    }

    @Test func aProblemDescribesItselfWithItsPath() {
        #expect("\(TariffProblem(path: "currency", reason: "missing field"))" == "currency: missing field")
    }

    @Test func aTariffSurvivesEncodingAndDecoding() throws {
        let original = try tariff(restrictions: #"{"start_time": "22:00", "min_kwh": 0.5, "day_of_week": ["SUNDAY"]}"#)
        #expect(try Tariff.decode(JSONEncoder().encode(original)) == original)
    }

    private func tariff(
        component: String = #"{"type": "TIME", "price": 2.00, "step_size": 300}"#,
        restrictions: String? = nil
    ) throws -> Tariff {
        let element = #"{"price_components": [\#(component)]"# + (restrictions.map { #", "restrictions": \#($0)"# } ?? "") + "}"
        let json =
            #"{"id": "12", "currency": "EUR", "elements": [\#(element)], "last_updated": "2015-06-29T20:39:09Z", "tariff_alt_url": "https://x"}"#
        return try Tariff.decode(Data(json.utf8))
    }
}
