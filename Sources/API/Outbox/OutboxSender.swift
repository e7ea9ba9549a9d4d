import Foundation
import Ledger
import Logging
import Projections
import ServiceLifecycle

/// Store-and-forward: sends pending deliveries, one at a time per target and in the order they
/// were scheduled (FIFO, as Gireve requires), retrying with backoff and recording every attempt.
///
/// It works from the `deliveries` projection, so whatever was pending before a crash is sent
/// after the restart. A parked delivery holds its own target's queue (a PATCH must not overtake
/// its PUT) but not the others.
public struct OutboxSender: Service {
    let store: SQLiteEventStore
    let transport: any DeliveryTransport
    let clock: any LedgerClock
    let logger: Logger
    /// Attempts before a delivery is parked for an operator instead of retried again.
    let maximumAttempts: Int

    public init(store: SQLiteEventStore, transport: any DeliveryTransport, clock: any LedgerClock, logger: Logger, maximumAttempts: Int = 12) {
        self.store = store
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.maximumAttempts = maximumAttempts
    }

    /// 1 s, 2 s, 4 s … capped at 5 minutes.
    static func backoff(afterAttempts attempts: Int) -> Int64 {
        guard attempts > 0 else { return 0 }
        return min(300_000, 1000 << min(attempts - 1, 20))
    }

    public func run() async throws {
        try await store.repeatUntilShutdown(clock: clock, logger: logger) {
            let now = clock.now()
            let heads = try await laneHeads().filter { $0.status == "pending" }
            let due = heads.filter { dueAt($0) <= now }
            guard !due.isEmpty else { return .wait(until: heads.map(dueAt).min()) }
            let allRecorded = await withTaskGroup(of: Bool.self) { group in
                for delivery in due { group.addTask { await attempt(delivery) } }
                return await group.allSatisfy { $0 }
            }
            // An attempt whose outcome the ledger could not take stays due: sent again (at least
            // once) after the storage retry delay, not in a tight loop.
            return allRecorded ? .again : .retryLater
        }
    }

    /// After the backoff of its attempts — or at once when an operator sent it back since the last one.
    private func dueAt(_ delivery: DeliveriesProjection.State) -> Timestamp {
        if let requeued = delivery.requeuedAt, requeued >= (delivery.lastAttemptAt ?? delivery.scheduledAt) { return requeued }
        return (delivery.lastAttemptAt ?? delivery.scheduledAt).adding(milliseconds: Self.backoff(afterAttempts: delivery.attempts))
    }

    /// The first undelivered delivery of each target.
    private func laneHeads() async throws -> [DeliveriesProjection.State] {
        try await store.withReadDatabase { database in
            var heads: [String: DeliveriesProjection.State] = [:]
            try database.forEachRow("SELECT target, body FROM deliveries WHERE status IN ('pending', 'parked') ORDER BY target, sequence") { row in
                guard let target = row[0].text, heads[target] == nil, let body = row[1].text else { return }
                heads[target] = try EventCoding.decode(DeliveriesProjection.State.self, from: body)
            }
            return heads.values.sorted { $0.sequence < $1.sequence }
        }
    }

    /// One attempt, and its record. `false`: the outcome could not be recorded.
    private func attempt(_ delivery: DeliveriesProjection.State) async -> Bool {
        let scheduled = delivery.scheduled
        let number = delivery.attempts + 1
        let outcome = await transport.deliver(method: scheduled.method, url: scheduled.url, body: scheduled.body)
        // Interrupted by our own shutdown: not an attempt to record; it stays pending for the next run.
        if Task.isCancelled { return true }
        let id = scheduled.deliveryId
        var events: [any DomainEventPayload] = []
        switch outcome {
        case let .delivered(http, ocpi):
            events = [DeliveryAttempted(deliveryId: id, attempt: number, httpStatus: http, ocpiStatus: ocpi), DeliverySucceeded(deliveryId: id)]
        case let .retry(http, ocpi, error):
            events = [DeliveryAttempted(deliveryId: id, attempt: number, httpStatus: http, ocpiStatus: ocpi, error: error)]
            if number >= maximumAttempts {
                events.append(DeliveryParked(deliveryId: id, reason: "no success after \(number) attempts (last: \(error))"))
            }
        case let .park(http, ocpi, reason):
            events = [DeliveryAttempted(deliveryId: id, attempt: number, httpStatus: http, ocpiStatus: ocpi, error: reason),
                      DeliveryParked(deliveryId: id, reason: reason)]
        }
        let metadata = EventMetadata(source: "outbox", correlationId: scheduled.commandId ?? scheduled.sessionId)
        do {
            let newEvents = try events.map { try EventCoding.newEvent($0, metadata: metadata) }
            _ = try await store.append(newEvents, to: "delivery-\(id)", expectedVersion: .any)
            logger.info("delivery \(id) attempt \(number): \(outcome)", metadata: ["delivery_id": .string(id)])
            return true
        } catch {
            logger.error("delivery \(id) attempt \(number) not recorded: \(error)")
            return false
        }
    }
}
