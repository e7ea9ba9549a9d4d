import Foundation
import Ledger
import PostgresNIO
import PostgresStore
import Projections

/// The stores a suite runs against, one parameterized suite for both (not a copy per store):
/// SQLite always; PostgreSQL when `CHARGELEDGER_POSTGRES_URL` names a server the tests may
/// create databases on (`scripts/test` starts one of its own) — and always in CI, where a missing
/// server must fail the run rather than skip half of it (`TestPrerequisites` says so when it is missing).
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static var available: [StoreKind] {
        let environment = ProcessInfo.processInfo.environment
        return environment["CHARGELEDGER_POSTGRES_URL"] != nil || environment["CI"] == "true" ? [.sqlite, .postgres] : [.sqlite]
    }

    public var description: String { rawValue }

    /// Runs `body` with a store on a new, empty ledger of this kind; then closes it and removes
    /// the ledger (its directory, or its database).
    public func withTemporaryStore<T>(
        clock: any LedgerClock = ManualClock(),
        _ body: (any VerifiableEventStore) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite:
            return try await SQLiteEventStore.withTemporary(clock: clock) { store, _ in try await body(store) }
        case .postgres:
            return try await PostgresScratch.withDatabase { location in
                try await PostgresEventStore.open(location: location, clock: clock).closing(after: body)
            }
        }
    }
}

/// A new, empty ledger of one kind, opened (and reopened) as a test likes: with the projections,
/// or as an older binary or `import --log-only` would, without them.
public struct ScratchLedger: Sendable {
    public let kind: StoreKind
    /// What `--db` takes: the SQLite file's path, or the PostgreSQL URL.
    public let db: String

    public init(kind: StoreKind, db: String) {
        self.kind = kind
        self.db = db
    }

    public func open(projections: Bool = true, clock: any LedgerClock = ManualClock()) async throws -> any ProjectionStore {
        switch kind {
        case .sqlite: try SQLiteEventStore(path: db, clock: clock, readModels: ProjectionEngine(), folding: projections)
        case .postgres: try await PostgresEventStore.open(url: db, readModels: ProjectionEngine(), folding: projections, clock: clock)
        }
    }

    /// The ledger as a server opens it, with how that server shares it (see `ledger serve`).
    public func openServed(clock: any LedgerClock) async throws -> (store: any ProjectionStore, coordination: any InstanceCoordination) {
        switch kind {
        case .sqlite:
            return (try SQLiteEventStore(path: db, clock: clock, readModels: ProjectionEngine()), SoleInstance())
        case .postgres:
            let store = try await PostgresEventStore.open(url: db, readModels: ProjectionEngine(), clock: clock)
            return (store, store.coordination())
        }
    }

    /// Runs one statement on the ledger outside any store, as an operator with a SQL shell would.
    public func administer(_ sql: String) async throws {
        switch kind {
        case .sqlite: try Database.open(path: db, scratch: false).execute(sql)
        case .postgres: try await PostgresScratch.administer(try PostgresLocation(url: db), sql)
        }
    }
}

extension StoreKind {
    /// Runs `body` with a new ledger of this kind (not opened), then removes it.
    public func withScratchLedger<T>(_ body: (ScratchLedger) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            return try await body(ScratchLedger(kind: self, db: directory.path("ledger.sqlite")))
        case .postgres:
            return try await PostgresScratch.withDatabase { location in try await body(ScratchLedger(kind: self, db: location.connectionURL)) }
        }
    }
}

/// Fresh databases on the server `CHARGELEDGER_POSTGRES_URL` names, one per test, dropped after.
public enum PostgresScratch {
    public struct NoServer: Error, CustomStringConvertible {
        public var description: String {
            "CHARGELEDGER_POSTGRES_URL is not set: point it at a PostgreSQL server the tests may create databases on "
                + "(postgres://user:password@127.0.0.1:5432/postgres; .ci/run starts one)"
        }
    }

    public static func withDatabase<T>(_ body: (PostgresLocation) async throws -> T) async throws -> T {
        guard let url = ProcessInfo.processInfo.environment["CHARGELEDGER_POSTGRES_URL"] else { throw NoServer() }
        return try await withDatabase(on: try PostgresLocation(url: url), body)
    }

    /// A fresh database on `server`, dropped after `body`.
    public static func withDatabase<T>(on server: PostgresLocation, _ body: (PostgresLocation) async throws -> T) async throws -> T {
        let name = "chargeledger_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await administer(server, "CREATE DATABASE \(name)")
        do {
            let result = try await body(server.with(database: name))
            try await administer(server, "DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer(server, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs one statement on `location`'s database, outside any store (as an operator would).
    public static func administer(_ location: PostgresLocation, _ sql: String) async throws {
        let client = PostgresClient(configuration: location.clientConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
        }
    }
}

extension VerifiableEventStore {
    /// Runs `body` with this store, then closes it — also when `body` throws.
    public func closing<T>(after body: (Self) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }
}
