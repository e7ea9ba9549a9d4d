import API
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// The tariff commands as an operator runs them: `ledger price` on every worked example of the
/// spec digest, `ledger tariffs publish` on a stopped ledger, and `ledger serve` refusing a bad
/// tariffs file before it records anything.
@Suite("Tariff commands")
struct TariffCommandTests {
    /// The spec digest's vectors T-01…T-36, as the pricing engine's tests read them.
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "PricingTests/Vectors/tariff-vectors.json")

    static func ledger(_ arguments: [String]) async throws -> ChildProcess.Output {
        try await ChildProcess.run("timeout", ["60", ServeProcess.ledger.path()] + arguments)
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    @Test("`ledger price --json` prices every worked example T-01…T-36 of the spec digest to the cent, with its periods")
    func priceCommandOnEveryVector() async throws {
        guard case .array(let vectors) = try JSONValue(parsing: Data(contentsOf: Self.vectors)) else {
            throw WaitTimedOut(what: "vectors", items: "")
        }
        #expect(vectors.count == 36)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for vector in vectors {
            let id = try #require(vector["id"]?.stringValue)
            let tariff = try #require(vector["tariff"])
            try Self.write(JSONValue.array([tariff]).canonicalText, to: directory.url.appending(path: "tariffs.json"))
            try Self.write(try #require(vector["session"]).canonicalText, to: directory.url.appending(path: "session.json"))
            let result = try await Self.ledger([
                "price", "--tariffs", directory.path("tariffs.json"), "--tariff", try #require(tariff["id"]?.stringValue),
                "--session", directory.path("session.json"), "--json",
            ])
            #expect(result.status == 0, "\(id): \(result.stderr)")
            let printed = try JSONValue(parsing: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            let expected = try #require(vector["expected"])
            #expect(printed["total_cost"] == expected["total_cost"].flatMap(\.stringValue).map(JSONValue.number), "\(id)")
            #expect(printed["tariffs"] == .array([tariff]), "\(id)")
            let periods = try #require(expected["charging_periods"])
            #expect(Self.numbersAsNumbers(periods) == printed["charging_periods"], "\(id): \(printed["charging_periods"]?.canonicalText ?? "")")
        }
    }

    /// The fixture writes every volume as a string (to keep it exact); the CDR writes numbers.
    static func numbersAsNumbers(_ value: JSONValue, key: String? = nil) -> JSONValue {
        switch value {
        case .object(let members): .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, numbersAsNumbers($0.value, key: $0.key)) }))
        case .array(let elements): .array(elements.map { numbersAsNumbers($0) })
        case .string(let text) where key == "volume": Decimal(string: text).map { .number($0.canonicalText) } ?? value
        default: value
        }
    }

    @Test("`ledger price` explains the price in text, and refuses an unknown tariff id or time zone with the reason")
    func priceCommandText() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.write(
            #"{"start_date_time":"2024-06-04T19:30:00Z","stop_date_time":"2024-06-04T20:30:00Z","time_zone":"Europe/Paris","meter_values":[{"timestamp":"2024-06-04T19:30:00Z","wh":0},{"timestamp":"2024-06-04T20:30:00Z","wh":6000}]}"#,
            to: directory.url.appending(path: "session.json")
        )
        let text = try await Self.ledger([
            "price", "--tariffs", ServerHarness.examplesTariffs.path(), "--tariff", "TARIFF-AC-22", "--session", directory.path("session.json"),
        ])
        #expect(text.status == 0, "\(text.stderr)")
        // 3 kWh before 22:00 local at 0.40, 3 kWh after at 0.30.
        #expect(text.stdout.hasPrefix("total_cost 2.10 EUR\n"), "\(text.stdout)")
        #expect(text.stdout.contains("ENERGY 3 kWh × 0.4 EUR/kWh (element 2) = 1.2 EUR"), "\(text.stdout)")
        #expect(text.stdout.contains("ENERGY 3 kWh × 0.3 EUR/kWh (element 1) = 0.9 EUR"), "\(text.stdout)")

        let unknown = try await Self.ledger([
            "price", "--tariffs", ServerHarness.examplesTariffs.path(), "--tariff", "NOPE", "--session", directory.path("session.json"),
        ])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no tariff \"NOPE\" (it has: TARIFF-AC-22)"), "\(unknown.stderr)")
        try Self.write(
            #"{"start_date_time":"2024-06-04T19:30:00Z","stop_date_time":"2024-06-04T20:30:00Z","time_zone":"Mars/Olympus","meter_values":[]}"#,
            to: directory.url.appending(path: "mars.json")
        )
        let zone = try await Self.ledger([
            "price", "--tariffs", ServerHarness.examplesTariffs.path(), "--tariff", "TARIFF-AC-22", "--session", directory.path("mars.json"),
        ])
        #expect(zone.status == 1)
        #expect(zone.stderr.contains("Mars/Olympus"), "\(zone.stderr)")
    }

    @Test(
        "`ledger tariffs publish` on a stopped ledger: records a new tariff, nothing when unchanged, a new version when changed, a withdrawal when gone"
    )
    func publishCommand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = directory.path("ledger.sqlite")
        let store = try SQLiteEventStore(path: db, readModels: ProjectionEngine())
        await store.close()
        func publish(_ file: String, locations: String = ServerHarness.examplesLocations.path()) async throws -> ChildProcess.Output {
            try await Self.ledger(["tariffs", "publish", file, "--db", db, "--locations", locations])
        }
        let first = try await publish(ServerHarness.examplesTariffs.path())
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "tariffs published: TARIFF-AC-22; withdrawn: none; unchanged: none\n")
        let again = try await publish(ServerHarness.examplesTariffs.path())
        #expect(again.stdout == "tariffs published: none; withdrawn: none; unchanged: TARIFF-AC-22\n")
        let changed = directory.url.appending(path: "v2.json")
        try Self.write(
            try String(contentsOf: ServerHarness.examplesTariffs, encoding: .utf8).replacingOccurrences(of: "0.40", with: "0.45"),
            to: changed
        )
        #expect(try await publish(changed.path()).stdout.hasPrefix("tariffs published: TARIFF-AC-22;"))
        // Withdrawing it while a connector still names it is refused: the locations must change first.
        try Self.write("[]", to: directory.url.appending(path: "none.json"))
        let refused = try await publish(directory.path("none.json"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("names tariff \"TARIFF-AC-22\", which"), "\(refused.stderr)")
        try Self.write(#"[{"id":"LOC-1","evses":[]}]"#, to: directory.url.appending(path: "locations.json"))
        let withdrawn = try await publish(directory.path("none.json"), locations: directory.path("locations.json"))
        #expect(withdrawn.stdout == "tariffs published: none; withdrawn: TARIFF-AC-22; unchanged: none\n", "\(withdrawn.stderr)")

        let reopened = try SQLiteEventStore(path: db, readModels: ProjectionEngine())
        let state = try #require(try await reopened.state(TariffsProjection.self, "TARIFF-AC-22"))
        await reopened.close()
        #expect(state.versions.count == 2 && state.current == nil)
    }

    @Test(
        "`ledger serve` refuses a bad tariffs file at start-up with every reason and where it is; nothing is recorded",
        arguments: [
            (
                #"[{"id":"T1","currency":"EUR","elements":[{"price_components":[{"type":"SESSION_TIME","price":1,"step_size":1}]}],"last_updated":"2024-01-01T00:00:00Z"}]"#,
                #"[0] (tariff "T1") elements[0].price_components[0].type"#
            ),
            (
                #"[{"id":"TARIFF-AC-22","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":-0.3,"step_size":1}]}],"last_updated":"2024-01-01T00:00:00Z"}]"#,
                #"[0] (tariff "TARIFF-AC-22") elements[0].price_components[0].price"#
            ),
            (
                #"[{"id":"TARIFF-AC-22","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":0.3,"step_size":1}],"restrictions":{"start_date":"2024-06-01","end_date":"2024-05-01"}}],"last_updated":"2024-01-01T00:00:00Z"}]"#,
                #"[0] (tariff "TARIFF-AC-22") elements[0].restrictions.end_date"#
            ),
            (
                #"[{"id":"OTHER","currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":0.3,"step_size":1}]}],"last_updated":"2024-01-01T00:00:00Z"}]"#,
                #"location LOC-PARIS-0042 EVSE EVSE-0042-01 names tariff "TARIFF-AC-22""#
            ),
        ]
    )
    func serveRefusesBadTariffs(file: String, problem: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.write(file, to: directory.url.appending(path: "tariffs.json"))
        let db = directory.path("ledger.sqlite")
        let result = try await Self.ledger([
            "serve", "--db", db, "--port", "0", "--locations", ServerHarness.examplesLocations.path(), "--tariffs", directory.path("tariffs.json"),
        ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("refused, nothing recorded"), "\(result.stderr)")
        #expect(result.stderr.contains(problem), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db), "the ledger was created")
    }
}
