extension Duration {
    /// Whole milliseconds: the ledger's timestamps count in them.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole nanoseconds: what NIO's time amounts and swift-metrics' timers take.
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
