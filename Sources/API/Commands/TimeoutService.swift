import Domain
import Ledger
import Logging
import Projections
import ServiceLifecycle

/// Turns passed command deadlines into TIMEOUT results.
///
/// Deadlines live in the `timers` projection, not in memory, so a deadline set before a crash
/// fires after the restart (at once if it has passed). The service sleeps on the injected clock
/// until the earliest deadline, or until the log moves (a new command may have an earlier one).
public struct TimeoutService: Service {
    let store: any ProjectionStore
    let outcomes: CommandOutcomes
    let clock: any LedgerClock
    let logger: Logger

    public init(store: any ProjectionStore, outcomes: CommandOutcomes, clock: any LedgerClock, logger: Logger) {
        self.store = store
        self.outcomes = outcomes
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try await store.repeatUntilShutdown(clock: clock, logger: logger) {
            let earliest = try await earliestTimer()
            guard let next = earliest, next.deadline <= clock.now() else { return .wait(until: earliest?.deadline) }
            logger.info("command \(next.commandId) timed out", metadata: ["command_id": .string(next.commandId)])
            return await outcomes.deadlinePassed(commandId: next.commandId, deadline: next.deadline) ? .again : .retryLater
        }
    }

    private func earliestTimer() async throws -> TimersProjection.State? {
        try await store.read(TimersProjection.earliest)
    }
}
