extension ChargePointsProjection {
    /// The charge points whose last recorded connection is open.
    public static var connected: ProjectionQuery<[State]> {
        ProjectionQuery { reader in try reader.states(Self.self, "WHERE connected = 1") }
    }

    /// How many charge points are connected.
    public static var connectedCount: ProjectionQuery<Int64> {
        ProjectionQuery { reader in try reader.integer("SELECT count(*) FROM \(name) WHERE connected = 1") }
    }
}
