import Domain
import Foundation
import Ledger
import Logging
import Projections
import ServiceLifecycle
import Synchronization

/// Store-and-forward: sends pending deliveries, one at a time per target and in the order they
/// were scheduled (FIFO, as Gireve requires), retrying with backoff and recording every attempt.
///
/// It works from the `deliveries` projection, so whatever was pending before a crash is sent
/// after the restart. Targets are independent lanes: a parked delivery holds its own target's
/// queue (a PATCH must not overtake its PUT) but not the others, and so does an attempt that
/// hangs until its timeout — every lane's attempt runs on its own, and the loop starts the next
/// due ones without waiting for it.
///
/// With several instances on one ledger, an attempt is made only under a lease on its lane
/// (`InstanceCoordination.claim`), taken before the POST and given back once the attempt is
/// recorded: the attempt that leaves is never also sent by another instance — unless this one
/// stops for longer than the lease mid-attempt, when the lane's next owner sends it again
/// (at-least-once, as after a crash). A lane held by another instance is left alone until that
/// lease lapses.
public struct OutboxSender: Service {
    let store: any ProjectionStore
    let coordination: any InstanceCoordination
    let transport: any DeliveryTransport
    let clock: any LedgerClock
    let logger: Logger
    /// Attempts before a delivery is parked for an operator instead of retried again.
    let maximumAttempts: Int
    /// Attempts under way at once, at most (after an outage every lane is due together).
    let maximumInFlight: Int

    /// How long a lane's lease lasts, in ms: longer than an attempt can take (the transport's
    /// connect and read timeouts) plus its record.
    static let lease: Int64 = 60_000

    public init(
        store: any ProjectionStore,
        coordination: any InstanceCoordination = SoleInstance(),
        transport: any DeliveryTransport,
        clock: any LedgerClock,
        logger: Logger,
        maximumAttempts: Int = 12,
        maximumInFlight: Int = 32
    ) {
        self.store = store
        self.coordination = coordination
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.maximumAttempts = maximumAttempts
        self.maximumInFlight = maximumInFlight
    }

    /// 1 s, 2 s, 4 s … capped at 5 minutes.
    static func backoff(afterAttempts attempts: Int) -> Int64 {
        guard attempts > 0 else { return 0 }
        return min(300_000, 1000 << min(attempts - 1, 20))
    }

    public func run() async throws {
        let attempts = AttemptsUnderWay()
        let elsewhere = LanesHeldElsewhere()
        try await store.repeatUntilShutdown(clock: clock, logger: logger) {
            let now = clock.now()
            // Taken before the read: an attempt that ends while the heads are read is still
            // under way in this snapshot, so a head read before its record is not sent again.
            let underWay = attempts.snapshot()
            let heldElsewhere = elsewhere.lanes(at: now)
            let free = max(0, maximumInFlight - underWay.count)
            let eligible: @Sendable (DeliveriesProjection.State) -> Bool = {
                underWay[$0.scheduled.deliveryId] != $0.attempts && heldElsewhere[$0.scheduled.target] == nil
            }
            let read = try await store.read(DeliveriesProjection.laneHeads(stoppingAfter: free) { eligible($0) && dueAt($0) <= now })
            let heads = read.heads.filter(eligible)
            let due = heads.filter { dueAt($0) <= now }.prefix(free)
            for (delivery, claim) in try await claimed(Array(due), elsewhere: elsewhere) {
                attempts.start(delivery) { await attempt(delivery, claim: claim) }
            }
            // A started attempt wakes the loop when it is recorded (an append); the others are
            // due later, or their lane's lease elsewhere lapses. Heads left unread (every place
            // taken) are looked at again when an attempt under way is recorded.
            let later = read.complete ? heads.filter { dueAt($0) > now }.map(dueAt) : []
            return .wait(until: (later + elsewhere.lanes(at: now).values).min())
        }
        await attempts.cancelAll()
    }

    /// After the backoff of its attempts — or at once when an operator sent it back since the last one.
    private func dueAt(_ delivery: DeliveriesProjection.State) -> Timestamp {
        if let requeued = delivery.requeuedAt, requeued >= (delivery.lastAttemptAt ?? delivery.scheduledAt) { return requeued }
        return (delivery.lastAttemptAt ?? delivery.scheduledAt).adding(milliseconds: Self.backoff(afterAttempts: delivery.attempts))
    }

    /// One attempt under its lane's lease, and its record. If the ledger cannot take the record
    /// (a full disk), the same events are appended again every `storageRetryDelay` until it can —
    /// the attempt happened, and sending it again would only make a duplicate. The lane waits
    /// meanwhile, its lease renewed.
    private func attempt(_ delivery: DeliveriesProjection.State, claim: String) async {
        let scheduled = delivery.scheduled
        let lane = scheduled.target
        let number = delivery.attempts + 1
        let (outcome, requestId) = await transport.deliver(scheduled)
        // Interrupted by our own shutdown: not an attempt to record; it stays pending for the next run.
        if Task.isCancelled { return }
        let id = scheduled.deliveryId
        var events: [any DomainEventPayload] = []
        switch outcome {
        case let .delivered(http, ocpi):
            events = [
                DeliveryAttempted(deliveryId: id, attempt: number, httpStatus: http, ocpiStatus: ocpi, requestId: requestId),
                DeliverySucceeded(deliveryId: id),
            ]
        case let .retry(http, ocpi, error):
            events = [DeliveryAttempted(deliveryId: id, attempt: number, httpStatus: http, ocpiStatus: ocpi, error: error, requestId: requestId)]
            if number >= maximumAttempts {
                events.append(DeliveryParked(deliveryId: id, reason: "no success after \(number) attempts (last: \(error))"))
            }
        case let .park(http, ocpi, reason):
            events = [
                DeliveryAttempted(deliveryId: id, attempt: number, httpStatus: http, ocpiStatus: ocpi, error: reason, requestId: requestId),
                DeliveryParked(deliveryId: id, reason: reason),
            ]
        }
        let metadata = EventMetadata(source: "outbox", correlationId: scheduled.commandId ?? scheduled.sessionId)
        do {
            let newEvents = try events.map { try EventCoding.newEvent($0, metadata: metadata) }
            while true {
                do {
                    _ = try await store.append(newEvents, to: StreamID.delivery(id), expectedVersion: .any)
                    logger.info("delivery \(id) attempt \(number): \(outcome)", metadata: ["delivery_id": .string(id)])
                    try? await coordination.release(lane, for: claim)  // a lease left behind lapses by itself
                    return
                } catch {
                    logger.error("delivery \(id) attempt \(number) not recorded, trying again in \(storageRetryDelay) ms: \(error)")
                    try await clock.sleep(until: clock.now().adding(milliseconds: storageRetryDelay))
                    _ = try? await coordination.claim(lane, for: claim, now: clock.now(), until: clock.now().adding(milliseconds: Self.lease))
                }
            }
        } catch {
            // Cancelled (shutdown) or not encodable: the delivery stays pending for the next run.
        }
    }

    /// The due deliveries this instance may attempt now: their lane's lease taken, and each still
    /// where the heads read saw it — another instance may have attempted it between that read and
    /// the claim, and given the lane back since. A lane another instance holds is noted in
    /// `elsewhere` until its lease lapses. Each attempt's claim is its own (a fresh id), so the
    /// release after one attempt cannot free the lane while the next attempt is out.
    private func claimed(
        _ due: [DeliveriesProjection.State],
        elsewhere: LanesHeldElsewhere
    ) async throws -> [(DeliveriesProjection.State, claim: String)] {
        let now = clock.now()
        var won: [(DeliveriesProjection.State, claim: String)] = []
        for delivery in due {
            let claim = UUID().uuidString.lowercased()
            if let lapses = try await coordination.claim(delivery.scheduled.target, for: claim, now: now, until: now.adding(milliseconds: Self.lease))
            {
                elsewhere.note(delivery.scheduled.target, until: lapses)
            } else {
                won.append((delivery, claim))
            }
        }
        // Alone on the ledger, nobody else can have moved them since the heads were read.
        guard !won.isEmpty, coordination.sharesLedger else { return won }
        let ids = won.map(\.0.scheduled.deliveryId)
        let states = try await store.withProjectionSnapshot { database in try ids.map { try database.state(DeliveriesProjection.self, $0) } }
        var kept: [(DeliveriesProjection.State, claim: String)] = []
        for ((delivery, claim), state) in zip(won, states) {
            if state?.status == .pending, state?.attempts == delivery.attempts {
                kept.append((delivery, claim))
            } else {
                try await coordination.release(delivery.scheduled.target, for: claim)
            }
        }
        return kept
    }
}

/// Lanes another instance holds, and when its lease lapses: the loop leaves them alone until then.
private final class LanesHeldElsewhere: Sendable {
    private let state = Mutex<[String: Timestamp]>([:])

    func note(_ lane: String, until lapses: Timestamp) {
        state.withLock { $0[lane] = lapses }
    }

    /// The lanes still held elsewhere at `now` (forgetting those whose lease has lapsed).
    func lanes(at now: Timestamp) -> [String: Timestamp] {
        state.withLock { lanes in
            lanes = lanes.filter { $0.value > now }
            return lanes
        }
    }
}

/// The attempts under way, one per lane at most, so the loop never starts a second attempt of a
/// delivery whose first is still out.
///
/// An attempt counts as under way while the projection still shows the attempt count it started
/// from: once its record is appended, the projection moves on, even before the task has ended —
/// so the append that wakes the loop never finds the lane still marked busy.
private final class AttemptsUnderWay: Sendable {
    private let state = Mutex<[String: (attempts: Int, task: Task<Void, Never>)]>([:])

    /// Delivery id → the attempt count each attempt under way started from.
    func snapshot() -> [String: Int] {
        state.withLock { $0.mapValues(\.attempts) }
    }

    func start(_ delivery: DeliveriesProjection.State, _ work: @escaping @Sendable () async -> Void) {
        let id = delivery.scheduled.deliveryId
        let attempts = delivery.attempts
        // Registered under the lock the task takes when it ends, so its end cannot come first;
        // it removes only its own entry, not one for the lane's next attempt.
        state.withLock { state in
            state[id] = (
                attempts,
                Task {
                    await work()
                    self.state.withLock { state in
                        if state[id]?.attempts == attempts { state[id] = nil }
                    }
                }
            )
        }
    }

    func cancelAll() async {
        let tasks = state.withLock { $0.values.map(\.task) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
