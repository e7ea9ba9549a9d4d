import Ledger
import Logging
import ServiceLifecycle

/// What one pass of a log-driven service decided.
enum PassOutcome: Sendable {
    /// It did something: look again at once.
    case again
    /// Nothing to do now: wake at this time (if any) or when the log moves, whichever is first.
    case wait(until: Timestamp?)
    /// The ledger could not record (or read) what the pass needed — a full disk, an I/O error:
    /// look again after `storageRetryDelay`, without spinning. Nothing was lost: whatever was not
    /// recorded is still due in the projections.
    case retryLater
}

/// How long a log-driven service waits after a storage failure before it looks again, in ms:
/// long enough not to spin on a full disk, short enough that work resumes within a second of
/// space returning.
let storageRetryDelay: Int64 = 1000

extension EventStore {
    /// Runs `pass` over and over until graceful shutdown, sleeping between passes on the clock or
    /// the next append — never polling. How the timeout service and the outbox work: whatever they
    /// need to know is in the projections, so a pass after a restart picks up where the last run
    /// stopped. A pass that fails (the store cannot be read) is logged and retried like
    /// `.retryLater`: a storage fault must not stop the server.
    func repeatUntilShutdown(clock: any LedgerClock, logger: Logger, _ pass: @escaping @Sendable () async throws -> PassOutcome) async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    var head: Int64 = 0
                    let outcome: PassOutcome
                    do {
                        // Read before the pass, so an append during the pass wakes the wait after it.
                        head = try await self.headPosition()
                        outcome = try await pass()
                    } catch {
                        // Shutting down: PostgreSQL reports the cancelled query as its own error.
                        if error is CancellationError || Task.isCancelled { throw CancellationError() }
                        logger.error("ledger unavailable, trying again in \(storageRetryDelay) ms: \(error)")
                        outcome = .retryLater
                    }
                    switch outcome {
                    case .again: continue
                    case .wait(let deadline): await self.waitForAppend(after: head, orUntil: deadline, on: clock)
                    case .retryLater: try? await clock.sleep(until: clock.now().adding(milliseconds: storageRetryDelay))
                    }
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
