extension Duration {
    /// Whole nanoseconds: what NIO's time amounts and swift-metrics' timers take.
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
