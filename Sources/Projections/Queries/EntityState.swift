import Domain
import Ledger

extension ProjectionReading {
    /// One entity's state from a projection's table, or `nil` when it has none.
    public func state<P: Projection>(_ projection: P.Type, _ key: String) throws -> P.State? {
        guard let body = try rows("SELECT body FROM \(P.name) WHERE key = ?", [.text(key)]).first?.first?.text else { return nil }
        return try EventCoding.decode(P.State.self, from: body)
    }
}

extension ProjectionStore {
    /// One entity's state, read in a snapshot of its own.
    public func state<P: Projection>(_ projection: P.Type, _ key: String) async throws -> P.State? {
        try await withProjectionSnapshot { try $0.state(projection, key) }
    }

    /// Every projection row: see `ProjectionDump`.
    public func projectionDump() async throws -> JSONValue {
        try await withProjectionSnapshot { reader in try ProjectionDump.json(reader) }
    }
}
