extension TimersProjection {
    /// The deadline that passes first (ties by command id, so the order is the same every run).
    public static var earliest: ProjectionQuery<State?> {
        ProjectionQuery { reader in try reader.states(Self.self, "ORDER BY deadline, key LIMIT 1").first }
    }
}
