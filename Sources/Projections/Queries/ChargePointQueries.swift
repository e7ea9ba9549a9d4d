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

extension ChargePointsProjection {
    /// The charge points gone and not yet published offline, the longest gone first: the
    /// offline watch's work (a handful at a time: those inside their grace period).
    public static var awaitingOffline: ProjectionQuery<[State]> {
        ProjectionQuery { reader in try reader.states(Self.self, "WHERE offline_since IS NOT NULL ORDER BY offline_since, key") }
    }
}
