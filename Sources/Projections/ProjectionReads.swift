import Ledger

extension Database {
    /// One entity's state from a projection's table, or `nil` when it has none.
    public func state<P: Projection>(_ projection: P.Type, _ key: String) throws -> P.State? {
        guard let body = try rows("SELECT body FROM \(P.name) WHERE key = ?", [.text(key)]).first?.first?.text else { return nil }
        return try EventCoding.decode(P.State.self, from: body)
    }
}

extension SQLiteEventStore {
    /// One entity's state, read on a reader connection.
    public func state<P: Projection>(_ projection: P.Type, _ key: String) async throws -> P.State? {
        try await withReadDatabase { try $0.state(projection, key) }
    }
}
