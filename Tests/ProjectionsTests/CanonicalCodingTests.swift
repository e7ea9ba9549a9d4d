import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// The read models' row writers and readers and the events' readers (`CanonicalWritable`,
/// `CanonicalReadable`) held to the Codable conformances they stand in for: rows byte for byte,
/// events and states value for value,
/// refusals alike — what existing ledgers, the golden files and `ledger replay` rely on.
@Suite("Row writers and event readers")
struct CanonicalCodingTests {
    static let projections: [any Projection.Type] = [
        CommandsProjection.self, SessionsProjection.self, CdrsProjection.self, AuthorizationLinksProjection.self,
        TimersProjection.self, DeliveriesProjection.self, ChargePointsProjection.self, TariffsProjection.self,
        EvseStatusesProjection.self, IOPConnectionProjection.self, PublishedLocationsProjection.self, OCPIRequestsProjection.self,
    ]

    static let payloads: [any DomainEventPayload.Type] = [
        CommandReceived.self, CommandAnswered.self, CommandDispatched.self, ChargerResponded.self, LateChargerResponse.self,
        CommandTimedOut.self, CommandResultQueued.self, CommandWarning.self, OcppFrameRejected.self, TransactionAnomaly.self,
        TransactionMessageRepeated.self, TransactionEventReceived.self, ChargePointConnected.self, ChargePointDisconnected.self, BootNotified.self,
        ConnectorStatusChanged.self,
        AuthorizeRequested.self, AuthorizationDecided.self, SessionStarted.self, AuthorizationBound.self, MeterValuesRecorded.self,
        SessionEnded.self, CdrIssued.self, DeliveryScheduled.self, DeliveryAttempted.self, DeliverySucceeded.self,
        DeliveryParked.self, DeliveryAbandoned.self, DeliveryRequeued.self, TariffPublished.self, TariffWithdrawn.self,
        EvseStatusChanged.self, CredentialsTokenIssued.self, IOPRegistered.self, IOPUnregistered.self, LocationPublished.self,
    ]

    /// Ledgers with projections: the every-field history, random histories, and the golden logs.
    static func ledgers(in directory: TemporaryDirectory) async throws -> [String] {
        func append(_ payload: some DomainEventPayload, to stream: String, in store: SQLiteEventStore) async throws {
            _ = try await store.append(
                [try EventCoding.newEvent(payload, metadata: EventMetadata(source: "test"))],
                to: stream,
                expectedVersion: .any
            )
        }
        var paths = [directory.path("every-field.sqlite")]
        let store = try SQLiteEventStore(path: paths[0], readModels: ProjectionEngine())
        for (stream, payload) in EveryFieldHistory.events(from: Timestamp(iso8601: "2024-03-12T08:00:00.123Z")!) {
            try await append(payload, to: stream, in: store)
        }
        await store.close()
        for seed in 1...3 as ClosedRange<UInt64> {
            paths.append(directory.path("random-\(seed).sqlite"))
            let store = try SQLiteEventStore(path: paths[paths.count - 1], readModels: ProjectionEngine())
            var history = RandomHistory(seed: seed)
            for _ in 0..<300 {
                let (stream, payload) = history.nextEvent()
                try await append(payload, to: stream, in: store)
            }
            await store.close()
        }
        for scenario in Scenarios.all { paths.append(try await ReplayTests.importedLedger(scenario.name, in: directory)) }
        return paths
    }

    @Test("the lists here name every projection and every event type")
    func complete() {
        #expect(Self.projections.map { $0.name } == ProjectionEngine.tableNames)
        #expect(Set(Self.payloads.map { $0.eventType }) == EventCatalogue.standard.knownTypes)
    }

    @Test("every row is what the state's Encodable conformance writes, byte for byte")
    func rows() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for path in try await Self.ledgers(in: directory) {
            let store = try SQLiteEventStore(path: path)
            let checked = try await store.withReadDatabase { database in
                try Self.projections.map { try Self.checkRows(of: $0, in: database) }
            }
            await store.close()
            #expect(checked.allSatisfy { $0.mismatches.isEmpty }, "\(path): \(checked.flatMap(\.mismatches))")
            if path.hasSuffix("every-field.sqlite") { #expect(checked.allSatisfy { $0.rows > 0 }, "a table of the every-field history is empty") }
        }
    }

    private static func checkRows<P: Projection>(of projection: P.Type, in database: Database) throws -> (rows: Int, mismatches: [String]) {
        let bodies = try database.rows("SELECT body FROM \(P.name) ORDER BY key").compactMap { $0.first?.text }
        let mismatches = try bodies.filter { body in
            let state = try CanonicalDecoder.decode(P.State.self, from: body)
            return try CanonicalEncoder.text(of: state) != body || CanonicalWriter.text(of: state) != body
        }
        return (bodies.count, mismatches)
    }

    @Test("every event is written as its Encodable conformance writes it, byte for byte: appends encode through the writer")
    func eventTexts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let types = Dictionary(uniqueKeysWithValues: Self.payloads.map { ($0.eventType, $0) })
        var written: Set<String> = []
        var mismatches: [String] = []
        for path in try await Self.ledgers(in: directory) {
            let store = try SQLiteEventStore(path: path)
            let events = try await store.readAll(after: 0, limit: .max)
            await store.close()
            for event in events {
                let type = try #require(types[event.type])
                written.insert(event.type)
                if try !Self.writesAsEncodable(type, event.data.text) { mismatches.append("\(event.type): \(event.data.text)") }
            }
        }
        #expect(written == EventCatalogue.standard.knownTypes)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    private static func writesAsEncodable<T: DomainEventPayload>(_ type: T.Type, _ text: String) throws -> Bool {
        let payload = try CanonicalDecoder.decode(type, from: text)
        return try CanonicalWriter.text(of: payload) == text && CanonicalEncoder.text(of: payload) == text
            && CanonicalJSON(encoding: payload).text == text
    }

    @Test("each event's reader reads what Decodable reads and refuses what it refuses, whatever is changed in the event")
    func events() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let types = Dictionary(uniqueKeysWithValues: Self.payloads.map { ($0.eventType, $0) })
        var examples: [String: Int] = [:]
        var disagreements: [String] = []
        for path in try await Self.ledgers(in: directory) {
            let store = try SQLiteEventStore(path: path)
            let events = try await store.readAll(after: 0, limit: .max)
            await store.close()
            for event in events where examples[event.type, default: 0] < 3 {
                examples[event.type, default: 0] += 1
                let type = try #require(types[event.type])
                let texts = Self.variants(of: event.data.value).map(\.canonicalText) + Self.spellings(of: event.data.value)
                disagreements += texts.filter { !Self.agree(type, on: $0) }.map { "\(event.type): \($0)" }
            }
        }
        #expect(Set(examples.keys) == EventCatalogue.standard.knownTypes)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    private static func agree<T: CanonicalReadable>(_ type: T.Type, on text: String) -> Bool {
        CanonicalReader.read(type, from: text) == (try? CanonicalDecoder.decode(type, from: text))
    }

    @Test("each state's reader reads what Decodable reads and refuses what it refuses, whatever is changed in the row")
    func states() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var disagreements: [String] = []
        var checked: Set<String> = []
        for path in try await Self.ledgers(in: directory) {
            let store = try SQLiteEventStore(path: path)
            let found = try await store.withReadDatabase { database in
                try Self.projections.map { try Self.stateDisagreements(of: $0, in: database) }
            }
            disagreements += found.flatMap(\.disagreements)
            checked.formUnion(found.compactMap(\.table))
            await store.close()
        }
        #expect(checked == Set(ProjectionEngine.tableNames))
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    /// Three rows of `projection`'s table, each with every one-change variant and other spelling.
    /// `table`: the projection's name when it had rows to check.
    private static func stateDisagreements<P: Projection>(
        of projection: P.Type,
        in database: Database
    ) throws -> (table: String?, disagreements: [String]) {
        let bodies = try database.rows("SELECT body FROM \(P.name) ORDER BY key LIMIT 3").compactMap { $0.first?.text }
        return (
            bodies.isEmpty ? nil : P.name,
            try bodies.flatMap { body in
                let value = try JSONValue(parsing: Array(body.utf8))
                let texts = [body] + Self.variants(of: value).map(\.canonicalText) + Self.spellings(of: value)
                return texts.filter { !Self.agree(P.State.self, on: $0) }.map { "\(P.name): \($0)" }
            }
        )
    }

    /// What each value may be replaced with: every kind of JSON value, numbers no field can hold,
    /// a string that is not a timestamp.
    static let replacements: [JSONValue] = [
        .null, .bool(true), .string("x"), .string("2026-02-30T00:00:00Z"), .number("7"), .number("-1"), .number("7.5"),
        .number("1e400"), .number("99999999999999999999"), .object([:]), .array([]),
    ]

    /// `value` with one change: any value replaced, any member removed, an unknown member added,
    /// an array emptied or doubled.
    static func variants(of value: JSONValue) -> [JSONValue] {
        var variants = replacements
        switch value {
        case .object(let members):
            var extended = members
            extended["unknown_member"] = .string("x")
            variants.append(.object(extended))
            for (key, member) in members {
                var without = members
                without[key] = nil
                variants.append(.object(without))
                variants += Self.variants(of: member).map { variant in
                    var changed = members
                    changed[key] = variant
                    return .object(changed)
                }
            }
        case .array(let elements):
            variants.append(.array(elements + elements))
            for index in elements.indices {
                variants += Self.variants(of: elements[index]).map { variant in
                    var changed = elements
                    changed[index] = variant
                    return .array(changed)
                }
            }
        default:
            break
        }
        return variants
    }

    /// Other spellings of `value`'s text: keys in reverse order, a key escaped, a key twice,
    /// whitespace, trailing content, a truncated document.
    static func spellings(of value: JSONValue) -> [String] {
        guard case .object(let members) = value, let first = members.keys.min(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) else { return [] }
        let text = value.canonicalText
        let reversed = members.keys.sorted { $1.utf8.lexicographicallyPrecedes($0.utf8) }
            .map { "\(JSONValue.string($0).canonicalText):\(members[$0]!.canonicalText)" }
        let escaped = "\\u00" + String(first.utf8.first!, radix: 16) + first.dropFirst()
        return [
            "{" + reversed.joined(separator: ",") + "}",
            text.replacingOccurrences(of: "\"\(first)\":", with: "\"\(escaped)\":"),
            "{\"\(first)\":null," + text.dropFirst(),
            " \n" + text.replacingOccurrences(of: ",", with: " ,\t") + " ",
            text + " {}",
            String(text.dropLast()),
        ]
    }

    @Test(
        "an event the catalogue cannot read is refused with the reason it always gave",
        arguments: [
            (#"{"measured_at":"2024-03-12T10:00:00Z","meter_wh":"lots","session_id":"S"}"#, "malformed data: meter_wh: expected a number"),
            (#"{"measured_at":"2024-03-12T10:00:00Z","session_id":"S"}"#, #"malformed data: missing "meter_wh""#),
            (#"{"measured_at":"yesterday","meter_wh":1,"session_id":"S"}"#, "malformed data: measured_at: not an RFC 3339 UTC timestamp: yesterday"),
            (
                #"{"measured_at":"2024-03-12T10:00:00Z","meter_wh":1,"session_id":null}"#,
                "malformed data: session_id: expected a string but found null"
            ),
        ]
    )
    func refusalReasons(data: String, reason: String) {
        #expect(throws: CatalogueError(position: 9, type: "MeterValuesRecorded", reason: reason)) {
            try EventCatalogue.standard.decode(type: "MeterValuesRecorded", schemaVersion: 1, data: data, position: 9)
        }
    }
}
