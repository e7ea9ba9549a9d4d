import Ledger

/// What the command path needs from the OCPP side: who is connected, and sending a CALL.
///
/// The OCPP central system implements it; keeping it a protocol keeps `CommandService` free of
/// WebSocket details.
public protocol ChargerGateway: Sendable {
    func isConnected(_ chargePointId: String) async -> Bool
    /// Sends a CALL whose answer belongs to `commandId`. Throws when the charger is not connected.
    func send(action: String, payload: JSONValue, messageId: String, commandId: String, to chargePointId: String) async throws
}
