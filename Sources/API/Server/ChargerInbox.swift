import HummingbirdWebSocket
import NIOWebSocket

/// A charger's WebSocket read on a task of its own, apart from the handling of its messages: the
/// pings and pongs that keep the connection open are read while a message waits for the ledger.
///
/// Why: hummingbird-websocket reads a pong only when its handler asks for the next frame. Read
/// and handled in one loop, a message that waited for the ledger longer than the ping period left
/// the charger's pong unread, and the server's own auto-ping closed a healthy connection: 9,434 of
/// 19,900 chargers in a start storm on two PostgreSQL instances, whose StartTransactions waited
/// up to 90 s (docs/performance.md).
enum ChargerInbox {
    /// Messages read and not yet handled, past which the charger is closed (1008): OCPP-J lets a
    /// peer send a CALL only once its last one is answered or timed out, so a charger has one or
    /// two waiting, a few more when it retries while the ledger is slow; the bound keeps one that
    /// floods from holding the server's memory.
    static let waitingAtMost = 32

    /// Hands each text message of `inbound` to `handle`, one at a time and in order, and writes
    /// its reply, while a task of its own reads the frames that follow. Returns why the
    /// connection ended, for the ledger's record of it.
    static func serve(
        _ inbound: WebSocketInboundStream,
        _ outbound: WebSocketOutboundWriter,
        maxSize: Int,
        handle: (String) async -> String?
    ) async -> String {
        let (messages, arrivals) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(waitingAtMost))
        return await withTaskGroup(of: String?.self) { group in
            group.addTask { await read(inbound, into: arrivals, outbound: outbound, maxSize: maxSize) }
            var unwritten: (any Error)?
            for await text in messages {
                guard let reply = await handle(text) else { continue }
                do { try await outbound.write(.text(reply)) } catch {
                    unwritten = error
                    break
                }
            }
            group.cancelAll()
            // The reading side's reason comes first: a reply that could not be written to a
            // connection it had already closed says less.
            if case .some(.some(let reason)) = await group.next() { return reason }
            return unwritten.map { "connection error: \($0)" } ?? "closed by the charger"
        }
    }

    /// Reads frames into `arrivals` until the connection ends, and says why it ended; `nil` when
    /// the handling side stopped it (a reply it could not write).
    private static func read(
        _ inbound: WebSocketInboundStream,
        into arrivals: AsyncStream<String>.Continuation,
        outbound: WebSocketOutboundWriter,
        maxSize: Int
    ) async -> String? {
        defer { arrivals.finish() }
        do {
            for try await message in inbound.messages(maxSize: maxSize) {
                guard case .text(let text) = message else {
                    try? await outbound.close(.unacceptableData, reason: "OCPP-J frames are text")
                    return "sent a binary frame"
                }
                if case .dropped = arrivals.yield(text) {
                    try? await outbound.close(.policyViolation, reason: "more than \(waitingAtMost) messages sent before their answers")
                    return "sent more than \(waitingAtMost) messages before their answers"
                }
            }
            return Task.isCancelled ? nil : "closed by the charger"
        } catch {
            return Task.isCancelled ? nil : "connection error: \(error)"
        }
    }
}
