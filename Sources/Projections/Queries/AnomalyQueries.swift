import Ledger

extension Anomaly {
    /// What a list of anomalies is narrowed by; the fields combine with AND.
    public struct Filter: Sendable {
        public var kind: Kind?
        public var authorizationId: String?
        /// Raised or restated by an event after this position.
        public var afterPosition: Int64?
        /// Raised or restated by an event at or after this position.
        public var fromPosition: Int64?

        public init(kind: Kind? = nil, authorizationId: String? = nil, afterPosition: Int64? = nil, fromPosition: Int64? = nil) {
            self.kind = kind
            self.authorizationId = authorizationId
            self.afterPosition = afterPosition
            self.fromPosition = fromPosition
        }
    }

    /// Anomalies by subject, kind and detail.
    public static func page(_ filter: Filter, offset: Int, limit: Int) -> ProjectionQuery<ProjectionPage<Anomaly>> {
        ProjectionQuery { reader in
            var sql = SQLFilter()
            if let kind = filter.kind { sql.add("kind = ?", .text(kind.rawValue)) }
            if let authorizationId = filter.authorizationId { sql.add("authorization_id = ?", .text(authorizationId)) }
            if let after = filter.afterPosition { sql.add("position > ?", .integer(after)) }
            if let from = filter.fromPosition { sql.add("position >= ?", .integer(from)) }
            return ProjectionPage(
                items: try read(sql.whereClause, sql.arguments, limit: limit, offset: offset, in: reader),
                total: try reader.integer("SELECT count(*) FROM anomalies \(sql.whereClause)", sql.arguments)
            )
        }
    }

    /// The anomalies about one subject (`sessions:<id>`, …).
    public static func about(_ subject: String) -> ProjectionQuery<[Anomaly]> {
        ProjectionQuery { reader in try read("WHERE subject = ?", [.text(subject)], in: reader) }
    }

    /// The anomalies about any of these subjects.
    public static func about(_ subjects: [String]) -> ProjectionQuery<[Anomaly]> {
        ProjectionQuery { reader in
            guard !subjects.isEmpty else { return [] }
            let list = Database.inList(subjects.map(SQLValue.text))
            return try read("WHERE subject IN \(list.placeholders)", list.arguments, in: reader)
        }
    }

    /// The latest flags first (by the position that raised them), with how many there are in all.
    public static func latest(limit: Int) -> ProjectionQuery<ProjectionPage<Anomaly>> {
        ProjectionQuery { reader in
            ProjectionPage(
                items: try read("", [], orderBy: "position DESC, subject, kind", limit: limit, in: reader),
                total: try reader.integer("SELECT count(*) FROM anomalies")
            )
        }
    }

    /// The first anomaly of a kind (by subject).
    public static func first(_ kind: Kind) -> ProjectionQuery<Anomaly?> {
        ProjectionQuery { reader in try read("WHERE kind = ?", [.text(kind.rawValue)], limit: 1, in: reader).first }
    }

    private static func read(
        _ whereClause: String,
        _ arguments: [SQLValue],
        orderBy order: String = "subject, kind, detail",
        limit: Int = .max,
        offset: Int = 0,
        in reader: any ProjectionReading
    ) throws -> [Anomaly] {
        try reader.rows(
            "SELECT \(columns.joined(separator: ", ")) FROM anomalies \(whereClause) ORDER BY \(order) LIMIT ? OFFSET ?",
            arguments + [.integer(Int64(min(limit, Int(Int64.max)))), .integer(Int64(offset))]
        ).compactMap { row in
            guard let subject = row[0].text, let kind = row[1].text.flatMap(Kind.init(rawValue:)), let detail = row[2].text else { return nil }
            return Anomaly(kind: kind, subject: subject, authorizationId: row[3].text, detail: detail, position: row[4].integer)
        }
    }
}
