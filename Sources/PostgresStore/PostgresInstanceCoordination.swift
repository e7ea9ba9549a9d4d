import Foundation
import Ledger
import Logging
import PostgresNIO

/// `InstanceCoordination` for several `ledger serve` instances on one PostgreSQL ledger: the
/// heartbeats in `ledger_instances`, the leases in `lane_leases` (migrations/postgres/ledger/0003).
///
/// A claim is one statement — an upsert that overwrites the row only when this instance already
/// holds it or its lease has lapsed — so two instances claiming at once cannot both win:
/// PostgreSQL's unique index decides. Every statement is bounded by the store's timeout.
public struct PostgresInstanceCoordination: InstanceCoordination {
    public let instance: String
    public var sharesLedger: Bool { true }
    let client: PostgresClient
    let location: PostgresLocation
    let timeout: Duration
    let logger: Logger

    /// Also clears what instances killed without leaving left behind: lapsed leases (free to
    /// claim anyway; a result's lane is never claimed again) and heartbeats lapsed for an hour
    /// (kept that long for an operator looking at which instance stopped when).
    public func heartbeat(now: Timestamp, until: Timestamp) async throws {
        try await run(
            """
            INSERT INTO ledger_instances (instance, until_ms, started_ms) VALUES (\(instance), \(until.millisecondsSinceEpoch), \(now.millisecondsSinceEpoch))
            ON CONFLICT (instance) DO UPDATE SET until_ms = excluded.until_ms
            """
        )
        try await run("DELETE FROM lane_leases WHERE until_ms <= \(now.millisecondsSinceEpoch)")
        try await run("DELETE FROM ledger_instances WHERE until_ms <= \(now.millisecondsSinceEpoch - 3_600_000)")
    }

    public func liveInstances(now: Timestamp) async throws -> Set<String> {
        Set(try await strings("SELECT instance FROM ledger_instances WHERE until_ms > \(now.millisecondsSinceEpoch)"))
    }

    public func claim(_ lane: String, for claim: String, now: Timestamp, until: Timestamp) async throws -> Timestamp? {
        let won = try await strings(
            """
            INSERT INTO lane_leases (lane, instance, claim, until_ms) VALUES (\(lane), \(instance), \(claim), \(until.millisecondsSinceEpoch))
            ON CONFLICT (lane) DO UPDATE SET instance = excluded.instance, claim = excluded.claim, until_ms = excluded.until_ms
            WHERE lane_leases.instance = excluded.instance OR lane_leases.until_ms <= \(now.millisecondsSinceEpoch)
            RETURNING instance
            """
        )
        guard won.isEmpty else { return nil }
        let client = client
        let logger = logger
        let holderUntil = try await withDeadline(timeout, at: location) { () -> Int64? in
            var until: Int64?
            for try await value in try await client.query("SELECT until_ms FROM lane_leases WHERE lane = \(lane)", logger: logger).decode(Int64.self)
            {
                until = value
            }
            return until
        }
        // Released between the two statements: free again, worth another claim at once.
        return Timestamp(millisecondsSinceEpoch: holderUntil ?? now.millisecondsSinceEpoch)
    }

    public func release(_ lane: String, for claim: String) async throws {
        try await run("DELETE FROM lane_leases WHERE lane = \(lane) AND claim = \(claim)")
    }

    public func leave() async throws {
        try await run("DELETE FROM lane_leases WHERE instance = \(instance)")
        try await run("DELETE FROM ledger_instances WHERE instance = \(instance)")
    }

    /// A statement that returns no rows.
    private func run(_ statement: PostgresQuery) async throws {
        _ = try await strings(statement)
    }

    /// The first column of every row, as text.
    private func strings(_ statement: PostgresQuery) async throws -> [String] {
        let client = client
        let logger = logger
        return try await withDeadline(timeout, at: location) {
            var values: [String] = []
            for try await value in try await client.query(statement, logger: logger).decode(String.self) { values.append(value) }
            return values
        }
    }
}

extension PostgresEventStore {
    /// How this store's instance coordinates with the others serving the same database.
    public func coordination(instance: String = UUID().uuidString.lowercased()) -> PostgresInstanceCoordination {
        PostgresInstanceCoordination(instance: instance, client: client, location: location, timeout: timeout, logger: logger)
    }
}
