import Ledger

/// What the command path needs from the OCPP side: who is connected, and sending a CALL.
///
/// The OCPP central system implements it; keeping it a protocol keeps `CommandService` free of
/// WebSocket details.
public protocol ChargerGateway: Sendable {
    func isConnected(_ chargePointId: String) async -> Bool
    /// Sends `call` (a CALL frame, as recorded) whose answer belongs to `commandId`, or queues it
    /// until the charger has answered the CALL before it (OCPP-J: one at a time). Throws when the
    /// charger is not connected.
    func send(_ call: OutboundCall, to chargePointId: String) async throws
}

/// A CALL to a charger on behalf of a command. Its text is built once, so the frame recorded in
/// `CommandDispatched` is byte for byte the frame the charger receives.
public struct OutboundCall: Sendable {
    public let commandId: String
    /// The OCPP message id: the command id, one CALL per command.
    public var messageId: String { commandId }
    public let action: String
    public let text: String
    /// The command's deadline: a CALL still waiting for its turn then is not sent.
    public let deadline: Timestamp

    public init(commandId: String, action: String, payload: JSONValue, deadline: Timestamp) {
        self.init(
            commandId: commandId,
            action: action,
            text: OCPPFrame.call(messageId: commandId, action: action, payload: payload).text,
            deadline: deadline
        )
    }

    /// The CALL another instance recorded (`CommandDispatched.frame`), to be sent as it is.
    init(commandId: String, action: String, text: String, deadline: Timestamp) {
        self.commandId = commandId
        self.action = action
        self.text = text
        self.deadline = deadline
    }
}
