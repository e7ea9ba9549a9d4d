import Domain
import Ledger

/// A typed read of the read models: what a reader needs (the open sessions of a charge point, the
/// outbox's lane heads), with its SQL kept here, beside the tables it reads. As GRDB's requests:
/// a value that says what to fetch, run either alone (`store.read(query)`, in a snapshot of its
/// own) or with others in one snapshot (`reader.fetch(query)` inside `withProjectionSnapshot`).
///
/// The SQL is what both stores speak (`?` placeholders, no SQLite-only functions), so a query
/// behaves the same on SQLite and PostgreSQL.
public struct ProjectionQuery<Value: Sendable>: Sendable {
    private let body: @Sendable (any ProjectionReading) throws -> Value

    public init(_ body: @escaping @Sendable (any ProjectionReading) throws -> Value) {
        self.body = body
    }

    /// The result, read inside the caller's snapshot.
    public func fetch(_ reader: any ProjectionReading) throws -> Value {
        try body(reader)
    }
}

/// A page of a longer list, with the list's length (for `X-Total-Count` and "n of m").
public struct ProjectionPage<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int64

    public init(items: [Item], total: Int64) {
        self.items = items
        self.total = total
    }
}

extension ProjectionStore {
    /// Runs `query` in a snapshot of its own.
    public func read<Value>(_ query: ProjectionQuery<Value>) async throws -> Value {
        try await withProjectionSnapshot { try query.fetch($0) }
    }
}

extension ProjectionReading {
    public func fetch<Value>(_ query: ProjectionQuery<Value>) throws -> Value {
        try query.fetch(self)
    }

    /// The states of `projection` whose rows match `clause` (`WHERE …`, `ORDER BY …`, `LIMIT …`).
    func states<P: Projection>(_ projection: P.Type, _ clause: String, _ arguments: [SQLValue] = []) throws -> [P.State] {
        try rows("SELECT body FROM \(P.name) \(clause)", arguments).compactMap { row in
            try row.first?.text.map { try EventCoding.decode(P.State.self, from: $0) }
        }
    }

    /// The first column of the first row, as an integer (a count, a position).
    func integer(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64 {
        try rows(sql, arguments).first?.first?.integer ?? 0
    }
}

/// A filter's SQL: conditions joined with AND, and their arguments in order.
struct SQLFilter {
    private var conditions: [String] = []
    private(set) var arguments: [SQLValue] = []

    mutating func add(_ condition: String, _ argument: SQLValue) {
        conditions.append(condition)
        arguments.append(argument)
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}
