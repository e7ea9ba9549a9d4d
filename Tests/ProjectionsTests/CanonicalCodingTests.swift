import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// The read models' row writers (`CanonicalWritable`) held to the Codable conformances they stand
/// in for, byte for byte — what existing ledgers, the golden files and `ledger replay` rely on.
@Suite("Row writers")
struct CanonicalCodingTests {
    static let projections: [any Projection.Type] = [
        CommandsProjection.self, SessionsProjection.self, CdrsProjection.self, AuthorizationLinksProjection.self,
        TimersProjection.self, DeliveriesProjection.self, ChargePointsProjection.self,
    ]

    /// Ledgers with projections: the every-field history, random histories, and the golden logs.
    static func ledgers(in directory: TemporaryDirectory) async throws -> [String] {
        func append(_ payload: some DomainEventPayload, to stream: String, in store: SQLiteEventStore) async throws {
            _ = try await store.append([try EventCoding.newEvent(payload, metadata: EventMetadata(source: "test"))], to: stream, expectedVersion: .any)
        }
        var paths = [directory.path("every-field.sqlite")]
        let store = try SQLiteEventStore(path: paths[0], observer: ProjectionEngine())
        for (stream, payload) in EveryFieldHistory.events(from: Timestamp(iso8601: "2024-03-12T08:00:00.123Z")!) {
            try await append(payload, to: stream, in: store)
        }
        await store.close()
        for seed in 1...3 as ClosedRange<UInt64> {
            paths.append(directory.path("random-\(seed).sqlite"))
            let store = try SQLiteEventStore(path: paths[paths.count - 1], observer: ProjectionEngine())
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

    @Test("the list here names every projection")
    func complete() {
        #expect(Self.projections.map { $0.name } == ProjectionEngine.tableNames)
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
}
