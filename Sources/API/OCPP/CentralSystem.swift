import Foundation
import Ledger
import Logging

/// Where text frames go to reach one connected charger (a WebSocket's outbound side).
public protocol FrameSink: Sendable {
    func send(_ text: String) async throws
    func close(reason: String) async
}

/// The OCPP 1.6J central system's state: which chargers are connected, and which CALLs we sent
/// are waiting for an answer (by message id, which is the command id: one CALL per command).
///
/// Connections themselves are owned by the WebSocket handlers; this actor only indexes them.
public actor CentralSystem: ChargerGateway {
    struct Connection {
        let id: UUID
        let sink: any FrameSink
    }

    struct PendingCall {
        let commandId: String
        let action: String
    }

    private var connections: [String: Connection] = [:]
    private var pending: [String: [String: PendingCall]] = [:]

    public init() {}

    /// Registers a new connection for `chargePointId`; returns the one it replaces, if any.
    func connect(_ chargePointId: String, id: UUID, sink: any FrameSink) -> (id: UUID, sink: any FrameSink)? {
        let replaced = connections[chargePointId].map { (id: $0.id, sink: $0.sink) }
        connections[chargePointId] = Connection(id: id, sink: sink)
        pending[chargePointId] = [:]
        return replaced
    }

    /// Forgets the connection `id` if it is still the current one for `chargePointId`.
    func disconnect(_ chargePointId: String, id: UUID) -> Bool {
        guard connections[chargePointId]?.id == id else { return false }
        connections[chargePointId] = nil
        pending[chargePointId] = nil
        return true
    }

    public func isConnected(_ chargePointId: String) -> Bool { connections[chargePointId] != nil }

    public func send(_ call: OutboundCall, to chargePointId: String) async throws {
        guard let connection = connections[chargePointId] else { throw GatewayError.notConnected(chargePointId) }
        pending[chargePointId, default: [:]][call.messageId] = PendingCall(commandId: call.commandId, action: call.action)
        try await connection.sink.send(call.text)
    }

    /// The CALL a CALLRESULT/CALLERROR answers, removed from the pending ones.
    func answered(_ messageId: String, by chargePointId: String) -> PendingCall? {
        pending[chargePointId]?.removeValue(forKey: messageId)
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
