import HummingbirdWebSocket
import NIOWebSocket
import Synchronization

/// A charger's messages between its WebSocket and their handling: the connection's task goes on
/// reading frames — the pongs that keep the connection open among them — while a message waits
/// for the ledger, and the messages are handled one at a time, in order, by a task that lives
/// only while some are waiting.
///
/// Why: hummingbird-websocket reads a pong only when its handler asks for the next frame. Read
/// and handled in one loop, a message that waited for the ledger longer than the ping period left
/// the charger's pong unread, and the server's own auto-ping closed a healthy connection: 9,434 of
/// 19,900 chargers in a start storm on two PostgreSQL instances, whose StartTransactions waited
/// up to 90 s (docs/performance.md). A reading task beside the handling one for every connection
/// held ~10 KiB more per idle charger (100 MiB for 10,000); a handling task only while messages
/// wait holds nothing between them.
final class ChargerInbox: Sendable {
    /// Messages read and not yet handled, past which the charger is closed (1008): OCPP-J lets a
    /// peer send a CALL only once its last one is answered or timed out, so a charger has one or
    /// two waiting, a few more when it retries while the ledger is slow; the bound keeps one that
    /// floods from holding the server's memory.
    static let waitingAtMost = 32

    private struct State {
        var waiting: [String] = []
        /// A task is handling the messages (until `waiting` is empty).
        var handling = false
        /// The reading side, waiting for the last message to be handled.
        var whenIdle: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    private let outbound: WebSocketOutboundWriter
    private let handle: @Sendable (String) async -> String?

    private init(_ outbound: WebSocketOutboundWriter, handle: @escaping @Sendable (String) async -> String?) {
        self.outbound = outbound
        self.handle = handle
    }

    /// Reads the text messages of `inbound` until the connection ends and hands each to
    /// `handle`, one at a time and in order, writing its reply; returns, once the last message
    /// read is handled, why the connection ended (for the ledger's record of it).
    static func serve(
        _ inbound: WebSocketInboundStream,
        _ outbound: WebSocketOutboundWriter,
        maxSize: Int,
        handle: @escaping @Sendable (String) async -> String?
    ) async -> String {
        let inbox = ChargerInbox(outbound, handle: handle)
        let reason = await inbox.read(inbound, maxSize: maxSize)
        await inbox.idle()
        return reason
    }

    private func read(_ inbound: WebSocketInboundStream, maxSize: Int) async -> String {
        do {
            for try await message in inbound.messages(maxSize: maxSize) {
                guard case .text(let text) = message else {
                    try? await outbound.close(.unacceptableData, reason: "OCPP-J frames are text")
                    return "sent a binary frame"
                }
                guard receive(text) else {
                    try? await outbound.close(.policyViolation, reason: "more than \(Self.waitingAtMost) messages sent before their answers")
                    return "sent more than \(Self.waitingAtMost) messages before their answers"
                }
            }
            return "closed by the charger"
        } catch {
            return "connection error: \(error)"
        }
    }

    /// Queues `text`, and starts a handling task if none runs; `false` when the queue is full.
    private func receive(_ text: String) -> Bool {
        let start = state.withLock { state -> Bool? in
            guard state.waiting.count < Self.waitingAtMost else { return nil }
            state.waiting.append(text)
            defer { state.handling = true }
            return !state.handling
        }
        guard let start else { return false }
        if start { Task { await self.handleWaiting() } }
        return true
    }

    /// Handles the waiting messages in order until none is left. A reply that cannot be written
    /// (the connection broke) does not stop it: the messages were received, and what they say
    /// is recorded; the charger resends what it has no answer to.
    private func handleWaiting() async {
        while let text = next() {
            if let reply = await handle(text) { try? await outbound.write(.text(reply)) }
        }
    }

    /// The next waiting message; `nil` (the handling task ends) when there is none.
    private func next() -> String? {
        let (text, reader) = state.withLock { state -> (String?, CheckedContinuation<Void, Never>?) in
            guard state.waiting.isEmpty else { return (state.waiting.removeFirst(), nil) }
            state.handling = false
            defer { state.whenIdle = nil }
            return (nil, state.whenIdle)
        }
        reader?.resume()
        return text
    }

    /// Returns once no message is waiting or being handled.
    private func idle() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                if state.handling { state.whenIdle = continuation }
                return !state.handling
            }
            if idle { continuation.resume() }
        }
    }
}
