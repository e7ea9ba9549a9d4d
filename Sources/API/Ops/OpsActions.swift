import Domain
import Foundation
import Ledger
import Projections

/// What an operator may change, from the ops page or `ledger deliveries` (a stopped server too): a
/// parked delivery sent back to the outbox, or a delivery given up. Each is an event in the
/// delivery's stream with the operator's name (source `ops:<name>`), so the ledger says who
/// decided what, and when.
public struct OpsActions: Sendable {
    let store: any ProjectionStore

    public init(store: any ProjectionStore) { self.store = store }

    public enum Outcome: Equatable, Sendable {
        case done(String)
        case notFound(String)
        /// The delivery is not in a state the action applies to (already delivered, say).
        case refused(String)
    }

    /// Sends a parked delivery back to the outbox, due at once. A failure that is not retryable
    /// parks it again; a retryable one is retried with backoff up to the outbox's limit.
    public func requeue(_ deliveryId: String, by operatorName: String) async throws -> Outcome {
        try await act(
            deliveryId,
            allowed: [.parked],
            by: operatorName,
            DeliveryRequeued(deliveryId: deliveryId, operatorName: operatorName),
            done: "delivery \(deliveryId) is back in the outbox"
        )
    }

    /// Gives a pending or parked delivery up, for a stated reason.
    public func abandon(_ deliveryId: String, by operatorName: String, reason: String) async throws -> Outcome {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { return .refused("say why the delivery is abandoned") }
        return try await act(
            deliveryId,
            allowed: [.pending, .parked],
            by: operatorName,
            DeliveryAbandoned(deliveryId: deliveryId, operatorName: operatorName, reason: String(reason.prefix(500))),
            done: "delivery \(deliveryId) abandoned"
        )
    }

    /// Appends the action at the stream version the decision was made on, so two operators
    /// acting at once cannot both act on the same state.
    private func act(
        _ deliveryId: String,
        allowed: Set<DeliveryStatus>,
        by operatorName: String,
        _ payload: any DomainEventPayload,
        done: String
    ) async throws -> Outcome {
        // The name becomes the event's source (`ops:<name>`): a line break in it would forge log lines and audit rows.
        guard (1...64).contains(operatorName.count), operatorName.unicodeScalars.allSatisfy({ $0.value >= 0x20 && !(0x7F..<0xA0).contains($0.value) })
        else {
            return .refused("an operator's name is 1 to 64 printable characters")
        }
        let stream = StreamID.delivery(deliveryId)
        // The state and the stream's version from one snapshot: the decision's basis.
        let read = try await store.withProjectionSnapshot { database -> (DeliveriesProjection.State, Int64)? in
            guard let state = try database.state(DeliveriesProjection.self, deliveryId) else { return nil }
            return (state, try database.fetch(LogQueries.version(of: stream)))
        }
        guard let read else { return .notFound("no delivery \(deliveryId)") }
        let (state, version) = read
        guard allowed.contains(state.status) else { return .refused("delivery \(deliveryId) is \(state.status)") }
        let event = try EventCoding.newEvent(
            payload,
            metadata: EventMetadata(source: "ops:\(operatorName)", correlationId: state.scheduled.commandId ?? state.scheduled.sessionId)
        )
        do {
            _ = try await store.append([event], to: stream, expectedVersion: version == 0 ? .noStream : .exact(version))
            return .done(done)
        } catch {
            guard case .wrongExpectedVersion = error else { throw error }
            return .refused("delivery \(deliveryId) changed meanwhile: look again")
        }
    }
}
