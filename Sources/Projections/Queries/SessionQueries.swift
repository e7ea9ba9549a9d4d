import Domain
import Ledger

extension SessionsProjection {
    /// What a list of sessions is narrowed by; the fields combine with AND, absent ones do not filter.
    public struct Filter: Sendable {
        public var tokenUid: String?
        public var evseUid: String?
        public var chargePointId: String?
        /// `start_datetime` at or after.
        public var startedFrom: Timestamp?
        /// `start_datetime` before.
        public var startedBefore: Timestamp?
        /// `last_updated` at or after (OCPI's `date_from`).
        public var updatedFrom: Timestamp?
        /// `last_updated` before (OCPI's `date_to`).
        public var updatedBefore: Timestamp?

        public init(
            tokenUid: String? = nil,
            evseUid: String? = nil,
            chargePointId: String? = nil,
            startedFrom: Timestamp? = nil,
            startedBefore: Timestamp? = nil,
            updatedFrom: Timestamp? = nil,
            updatedBefore: Timestamp? = nil
        ) {
            self.tokenUid = tokenUid
            self.evseUid = evseUid
            self.chargePointId = chargePointId
            self.startedFrom = startedFrom
            self.startedBefore = startedBefore
            self.updatedFrom = updatedFrom
            self.updatedBefore = updatedBefore
        }

        var sql: SQLFilter {
            var filter = SQLFilter()
            if let tokenUid { filter.add("id_tag = ?", .text(tokenUid)) }
            if let evseUid { filter.add("evse_uid = ?", .text(evseUid)) }
            if let chargePointId { filter.add("charge_point_id = ?", .text(chargePointId)) }
            if let startedFrom { filter.add("start_datetime >= ?", .text(startedFrom.iso8601)) }
            if let startedBefore { filter.add("start_datetime < ?", .text(startedBefore.iso8601)) }
            if let updatedFrom { filter.add("last_updated >= ?", .text(updatedFrom.iso8601)) }
            if let updatedBefore { filter.add("last_updated < ?", .text(updatedBefore.iso8601)) }
            return filter
        }
    }

    /// Sessions in id order (new sessions come last, so a page does not shift while they are added).
    public static func page(_ filter: Filter, offset: Int, limit: Int) -> ProjectionQuery<ProjectionPage<State>> {
        ProjectionQuery { reader in
            let sql = filter.sql
            return ProjectionPage(
                items: try reader.states(
                    Self.self,
                    "\(sql.whereClause) ORDER BY \(idOrder) LIMIT ? OFFSET ?",
                    sql.arguments + [.integer(Int64(limit)), .integer(Int64(offset))]
                ),
                total: try reader.integer("SELECT count(*) FROM \(name) \(sql.whereClause)", sql.arguments)
            )
        }
    }

    /// The sessions still `ACTIVE` on a charge point.
    public static func open(chargePoint chargePointId: String) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            try reader.states(Self.self, "WHERE charge_point_id = ? AND status = ?", [.text(chargePointId), .text(SessionStatus.active.rawValue)])
        }
    }

    /// The sessions of a token uid or on an EVSE uid, newest first: what an operator's search finds.
    public static func ofTokenOrEVSE(_ uid: String, limit: Int) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            try reader.states(
                Self.self,
                "WHERE id_tag = ? OR evse_uid = ? ORDER BY start_datetime DESC LIMIT ?",
                [.text(uid), .text(uid), .integer(Int64(limit))]
            )
        }
    }

    /// The highest transaction id recorded. Session keys are transaction ids, except in logs
    /// imported from elsewhere: the highest all-digit key, by `idOrder`'s rule (a cast in SQL is not
    /// portable: PostgreSQL refuses non-numeric text where SQLite reads 0).
    public static var highestTransactionId: ProjectionQuery<Int> {
        ProjectionQuery { reader in
            try reader.rows("SELECT key FROM \(name) WHERE ltrim(key, '0123456789') = '' ORDER BY length(key) DESC, key DESC LIMIT 1")
                .first?.first?.text.flatMap { Int($0) } ?? 0
        }
    }
}
