import Ledger
import ServiceLifecycle

/// What one pass of a log-driven service decided.
enum PassOutcome: Sendable {
    /// It did something: look again at once.
    case again
    /// Nothing to do now: wake at this time (if any) or when the log moves, whichever is first.
    case wait(until: Timestamp?)
}

extension SQLiteEventStore {
    /// Runs `pass` over and over until graceful shutdown, sleeping between passes on the clock or
    /// the next append — never polling. How the timeout service and the outbox work: whatever they
    /// need to know is in the projections, so a pass after a restart picks up where the last run
    /// stopped.
    func repeatUntilShutdown(clock: any LedgerClock, _ pass: @escaping @Sendable () async throws -> PassOutcome) async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    // Read before the pass, so an append during the pass wakes the wait after it.
                    let head = try await self.headPosition()
                    guard case .wait(let deadline) = try await pass() else { continue }
                    await self.waitForAppend(after: head, orUntil: deadline, on: clock)
                }
            }
        } catch is CancellationError {
            // graceful shutdown
        }
    }

    /// Returns when something is appended after `head`, or when `clock` reaches `deadline`.
    private func waitForAppend(after head: Int64, orUntil deadline: Timestamp?, on clock: any LedgerClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForAppend(after: head) }
            if let deadline {
                group.addTask { try? await clock.sleep(until: deadline) }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
