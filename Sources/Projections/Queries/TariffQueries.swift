import Ledger

extension TariffsProjection {
    /// The tariffs in force, by id, `last_updated` in `[updatedFrom, updatedBefore)` (OCPI's `date_from`/`date_to`).
    public static func page(updatedFrom: Timestamp?, updatedBefore: Timestamp?, offset: Int, limit: Int) -> ProjectionQuery<ProjectionPage<State>> {
        ProjectionQuery { reader in
            var filter = SQLFilter()
            filter.add("withdrawn = ?", .integer(0))
            if let updatedFrom { filter.add("last_updated >= ?", .text(updatedFrom.iso8601)) }
            if let updatedBefore { filter.add("last_updated < ?", .text(updatedBefore.iso8601)) }
            return ProjectionPage(
                items: try reader.states(
                    Self.self,
                    "\(filter.whereClause) ORDER BY key LIMIT ? OFFSET ?",
                    filter.arguments + [.integer(Int64(limit)), .integer(Int64(offset))]
                ),
                total: try reader.integer("SELECT count(*) FROM \(name) \(filter.whereClause)", filter.arguments)
            )
        }
    }

    /// Every tariff ever published, withdrawn ones included, by id.
    public static var all: ProjectionQuery<[State]> {
        ProjectionQuery { reader in try reader.states(Self.self, "ORDER BY key") }
    }
}
