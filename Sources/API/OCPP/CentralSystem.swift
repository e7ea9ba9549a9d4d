import Foundation
import Ledger
import Logging

/// Where text frames go to reach one connected charger (a WebSocket's outbound side).
public protocol FrameSink: Sendable {
    func send(_ text: String) async throws
    func close(reason: String) async
}

/// The OCPP central system's state: which chargers are connected, and the CALLs we send them —
/// one at a time per charger (`CallQueue`), and those sent waiting for an answer (by message id,
/// which is the command id: one CALL per command).
///
/// Connections themselves are owned by the WebSocket handlers; this actor only indexes them.
public actor CentralSystem: ChargerGateway {
    struct Connection {
        let id: UUID
        let sink: any FrameSink
        var calls = CallQueue()
        /// Wakes the queue when the CALL in flight stops blocking the next (its deadline), while
        /// CALLs wait behind it.
        var wake: (at: Timestamp, task: Task<Void, Never>)?
    }

    struct PendingCall {
        let commandId: String
        let action: String
    }

    private var connections: [String: Connection] = [:]
    /// Every CALL sent and not answered, the timed-out ones included: a late answer is still recorded.
    private var pending: [String: [String: PendingCall]] = [:]
    private let clock: any LedgerClock
    private let logger: Logger

    public init(clock: any LedgerClock, logger: Logger) {
        self.clock = clock
        self.logger = logger
    }

    /// Registers a new connection for `chargePointId`; returns the one it replaces, if any. CALLs
    /// waiting for the replaced one are not sent: their deadlines settle them.
    func connect(_ chargePointId: String, id: UUID, sink: any FrameSink) -> (id: UUID, sink: any FrameSink)? {
        let replaced = connections[chargePointId]
        replaced?.wake?.task.cancel()
        connections[chargePointId] = Connection(id: id, sink: sink)
        pending[chargePointId] = [:]
        return replaced.map { (id: $0.id, sink: $0.sink) }
    }

    /// Forgets the connection `id` if it is still the current one for `chargePointId`, with the
    /// CALLs waiting for it (their deadlines settle them).
    func disconnect(_ chargePointId: String, id: UUID) -> Bool {
        guard let connection = connections[chargePointId], connection.id == id else { return false }
        connection.wake?.task.cancel()
        connections[chargePointId] = nil
        pending[chargePointId] = nil
        return true
    }

    public func isConnected(_ chargePointId: String) -> Bool { connections[chargePointId] != nil }

    /// Sends `call` now, or queues it behind the CALL the charger has not answered yet. Throws
    /// only when the charger is not connected: a CALL that cannot be written is logged, and its
    /// deadline settles it.
    public func send(_ call: OutboundCall, to chargePointId: String) async throws {
        guard connections[chargePointId] != nil else { throw GatewayError.notConnected(chargePointId) }
        await advance(chargePointId) { $0.offer(call, now: $1) }
    }

    /// The CALL a CALLRESULT/CALLERROR answers, removed from the pending ones; the next CALL
    /// waiting for this charger goes out.
    func answered(_ messageId: String, by chargePointId: String) async -> PendingCall? {
        let call = pending[chargePointId]?.removeValue(forKey: messageId)
        await advance(chargePointId) { $0.answered(messageId, now: $1) }
        return call
    }

    private func wake(_ chargePointId: String, connection id: UUID, at: Timestamp) async {
        guard let connection = connections[chargePointId], connection.id == id else { return }
        if connection.wake?.at == at { connections[chargePointId]?.wake = nil }
        await advance(chargePointId) { $0.deadlinePassed(now: $1) }
    }

    /// Moves `chargePointId`'s queue on (`step`), sends the CALL whose turn it is, and rearms the wake.
    private func advance(_ chargePointId: String, _ step: (inout CallQueue, Timestamp) -> CallQueue.Turn) async {
        guard connections[chargePointId] != nil else { return }
        // In place: a copy of the connection would make the queue copy its buffer at every change.
        let turn = step(&connections[chargePointId]!.calls, clock.now())
        for call in turn.expired {
            logger.notice(
                "CALL of command \(call.commandId) to \(chargePointId) not sent: its deadline passed while an earlier CALL was unanswered",
                metadata: ["command_id": .string(call.commandId)]
            )
        }
        rearm(chargePointId)
        guard let call = turn.send, let sink = connections[chargePointId]?.sink else { return }
        pending[chargePointId, default: [:]][call.messageId] = PendingCall(commandId: call.commandId, action: call.action)
        do {
            try await sink.send(call.text)
        } catch {
            logger.warning("CALL of command \(call.commandId) to \(chargePointId) not sent (the deadline settles it): \(error)")
        }
    }

    /// Keeps one wake per connection, at the deadline of the CALL in flight while others wait.
    private func rearm(_ chargePointId: String) {
        guard let connection = connections[chargePointId] else { return }
        let at = connection.calls.blockedUntil
        guard connection.wake?.at != at else { return }
        connection.wake?.task.cancel()
        let id = connection.id
        connections[chargePointId]!.wake = at.map { at in
            (
                at,
                Task { [clock] in
                    do { try await clock.sleep(until: at) } catch { return }
                    await self.wake(chargePointId, connection: id, at: at)
                }
            )
        }
    }
}

public enum GatewayError: Error, CustomStringConvertible {
    case notConnected(String)
    public var description: String {
        switch self {
        case .notConnected(let id): "charge point \(id) is not connected"
        }
    }
}
