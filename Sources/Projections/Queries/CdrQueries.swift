import Ledger

extension CdrsProjection {
    /// CDRs in the order they were issued, `last_updated` in `[updatedFrom, updatedBefore)` (OCPI's `date_from`/`date_to`).
    public static func page(updatedFrom: Timestamp?, updatedBefore: Timestamp?, offset: Int, limit: Int) -> ProjectionQuery<ProjectionPage<State>> {
        ProjectionQuery { reader in
            var filter = SQLFilter()
            if let updatedFrom { filter.add("last_updated >= ?", .text(updatedFrom.iso8601)) }
            if let updatedBefore { filter.add("last_updated < ?", .text(updatedBefore.iso8601)) }
            return ProjectionPage(
                items: try reader.states(
                    Self.self,
                    "\(filter.whereClause) ORDER BY issued_position LIMIT ? OFFSET ?",
                    filter.arguments + [.integer(Int64(limit)), .integer(Int64(offset))]
                ),
                total: try reader.integer("SELECT count(*) FROM \(name) \(filter.whereClause)", filter.arguments)
            )
        }
    }
}
