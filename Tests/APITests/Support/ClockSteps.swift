import LedgerTesting

extension ServerHarness {
    /// Moves the clock on by `step` whenever a service is asleep, until what the IOP received in
    /// `inbox` (its `requests` unless said) satisfies `done` (at most ten steps). Another service may be the one asleep when the clock
    /// moves, with the outbox still recording an attempt and going to sleep just after: the next
    /// step wakes it.
    func advance(
        _ iop: IOPStandIn,
        inbox: KeyPath<IOPStandIn, Inbox<IOPStandIn.Received>> = \.requests,
        by step: Int64,
        until what: String,
        _ done: @escaping @Sendable ([IOPStandIn.Received]) -> Bool
    ) async throws -> [IOPStandIn.Received] {
        for _ in 0..<10 {
            await clock.waitForSleeper()
            clock.advance(milliseconds: step)
            if let seen = try? await iop[keyPath: inbox].wait(upTo: 5, what, until: done) { return seen }
        }
        return try await iop[keyPath: inbox].wait(upTo: 0, what, until: done)
    }
}
