import Ledger
import Synchronization

/// Runs `operation`, giving up after `limit`: a database that cannot be reached (PostgresNIO's
/// pool keeps retrying the connection, and a query waits for one) or that stops answering
/// mid-query must not hang its caller.
///
/// The caller gets the error at `limit` even when `operation` does not end then: a query already
/// sent on a connection whose server went silent does not end when its task is cancelled (it
/// waits for an answer), so it is cancelled and left to end on its own, not awaited — a task
/// group would wait for it. What it did, if anything, is what a retry finds: appends are
/// idempotent by event id.
func withDeadline<T: Sendable>(
    _ limit: Duration,
    at location: PostgresLocation,
    _ operation: @escaping @Sendable () async throws -> T
)
    async throws(EventStoreError) -> T
{
    let outcome = FirstOutcome<T>()
    let work = Task {
        do { outcome.settle(.success(try await operation())) } catch { outcome.settle(.failure(error)) }
    }
    let timer = Task {
        try await Task.sleep(for: limit)
        outcome.settle(.failure(EventStoreError.database("\(location) did not answer within \(limit): is the server up and reachable?")))
    }
    let result = await withTaskCancellationHandler {
        await outcome.value()
    } onCancel: {
        outcome.settle(.failure(CancellationError()))
    }
    work.cancel()
    timer.cancel()
    do { return try result.get() } catch { throw .postgres(error, at: location) }
}

/// The first of several outcomes to arrive, handed to the one waiter.
private final class FirstOutcome<T: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Result<T, any Error>, Never>?)
        case settled(Result<T, any Error>)
    }

    private let state = Mutex(State.waiting(nil))

    func settle(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<Result<T, any Error>, Never>? = state.withLock { state in
            guard case .waiting(let waiter) = state else { return nil }
            state = .settled(result)
            return waiter
        }
        waiter?.resume(returning: result)
    }

    func value() async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            let settled: Result<T, any Error>? = state.withLock { state in
                if case .settled(let result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}
