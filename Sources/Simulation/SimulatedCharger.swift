import API
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Ledger
import Logging
import NIOWebSocket

/// A charge point speaking OCPP 1.6J (or a station speaking 2.0.1: `subprotocol`) over a real
/// WebSocket, driven step by step by a script: it
/// sends CALLs and waits for their CALLRESULT, and hands the central system's CALLs to the script
/// to answer. For `ledger demo` and the delivery benchmark; the tests use the Python `ocpp`
/// package as the reference peer instead.
public struct SimulatedCharger: Sendable {
    /// A CALL from the central system, waiting for the script's answer.
    public struct IncomingCall: Sendable {
        public let messageId: String
        public let action: String
        public let payload: JSONValue
    }

    private let outbound: WebSocketOutboundWriter
    private let mailbox: Mailbox

    /// Connects as `chargePointId`, runs `script`, then closes the connection.
    public static func run(
        url: String,
        subprotocol: OCPPVersion = .v16,
        logger: Logger,
        _ script: @escaping @Sendable (SimulatedCharger) async throws -> Void
    ) async throws {
        let headers: HTTPFields = [.secWebSocketProtocol: subprotocol.subprotocol]
        try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: headers), logger: logger) {
            inbound,
            outbound,
            _ in
            let mailbox = Mailbox()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message, let frame = try? OCPPFrame(parsing: text) else { continue }
                        await mailbox.deliver(frame)
                    }
                    await mailbox.close()
                }
                try await script(SimulatedCharger(outbound: outbound, mailbox: mailbox))
                try await outbound.close(.normalClosure, reason: nil)
                group.cancelAll()
            }
        }
    }

    /// Sends a CALL and returns the CALLRESULT's payload.
    public func call(_ action: String, _ payload: [String: JSONValue]) async throws -> JSONValue {
        let id = UUID().uuidString.lowercased()
        try await outbound.write(.text(OCPPFrame.call(messageId: id, action: action, payload: .object(payload)).text))
        return try await mailbox.result(for: id, action: action)
    }

    /// The central system's next CALL (in arrival order).
    public func nextCall() async throws -> IncomingCall {
        try await mailbox.nextCall()
    }

    /// Answers a CALL with a CALLRESULT.
    public func reply(_ call: IncomingCall, _ payload: [String: JSONValue]) async throws {
        try await outbound.write(.text(OCPPFrame.callResult(messageId: call.messageId, payload: .object(payload)).text))
    }

    /// The charger's clock, as OCPP wants it.
    public static var now: JSONValue { .string(Timestamp(Date()).ocpiDateTime) }
}

/// Frames from the central system, sorted: answers by message id, CALLs in a queue.
private actor Mailbox {
    private var results: [String: JSONValue] = [:]
    private var resultWaiters: [String: CheckedContinuation<JSONValue?, Never>] = [:]
    private var calls: [SimulatedCharger.IncomingCall] = []
    private var callWaiters: [CheckedContinuation<SimulatedCharger.IncomingCall?, Never>] = []
    private var closed = false

    func deliver(_ frame: OCPPFrame) {
        switch frame {
        case let .callResult(id, payload):
            if let waiter = resultWaiters.removeValue(forKey: id) { waiter.resume(returning: payload) } else { results[id] = payload }
        case let .callError(id, code, description, _):
            let error = JSONValue.object(["error": .string("\(code): \(description)")])
            if let waiter = resultWaiters.removeValue(forKey: id) { waiter.resume(returning: error) } else { results[id] = error }
        case let .call(id, action, payload):
            let call = SimulatedCharger.IncomingCall(messageId: id, action: action, payload: payload)
            if callWaiters.isEmpty { calls.append(call) } else { callWaiters.removeFirst().resume(returning: call) }
        }
    }

    func close() {
        closed = true
        for waiter in resultWaiters.values { waiter.resume(returning: nil) }
        for waiter in callWaiters { waiter.resume(returning: nil) }
        resultWaiters = [:]
        callWaiters = []
    }

    func result(for id: String, action: String) async throws -> JSONValue {
        if let result = results.removeValue(forKey: id) { return result }
        guard !closed, let result = await withCheckedContinuation({ resultWaiters[id] = $0 }) else {
            throw SimulationError("the connection closed while waiting for the answer to \(action)")
        }
        return result
    }

    func nextCall() async throws -> SimulatedCharger.IncomingCall {
        if !calls.isEmpty { return calls.removeFirst() }
        guard !closed, let call = await withCheckedContinuation({ callWaiters.append($0) }) else {
            throw SimulationError("the connection closed while waiting for a CALL")
        }
        return call
    }
}

public struct SimulationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
