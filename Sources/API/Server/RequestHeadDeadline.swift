import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Closes a connection whose first request head has not fully arrived within `deadline`.
///
/// Why: the HTTP/WebSocket-upgrade pipeline arms Hummingbird's idle timer (`--idle-timeout`) only
/// once it has read a request head, so a client that connects and then sends nothing — or trickles
/// its head a byte at a time (slowloris) — would hold a connection and a file descriptor for ever.
/// This handler sits first in the pipeline, watches the raw bytes for the blank line that ends a
/// head, and removes itself once that has passed; from then on the idle timer (HTTP) or the
/// pings (OCPP WebSockets) take over. The deadline counts from the connection's start, not from
/// the last byte, so trickling does not extend it.
final class RequestHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private static let endOfHead: [UInt8] = Array("\r\n\r\n".utf8)
    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// How many bytes of `endOfHead` the bytes seen so far end with, so an end of head split
    /// across reads is still found.
    private var matched = 0

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let headEnded = unwrapInboundIn(data).withUnsafeReadableBytes { findEndOfHead(in: $0) }
        context.fireChannelRead(data)
        if headEnded { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    /// Scans `bytes` a byte at a time, carrying the partial match over from the previous read. A
    /// byte that breaks the match restarts it (at 1 if it is the `\r` a new end could start
    /// with). Was a copy of every read into an array and a generic `firstRange(of:)` over it:
    /// 5 % of the server's CPU in a 10,000-charger boot storm (docs/performance.md).
    private func findEndOfHead(in bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes {
            if byte == Self.endOfHead[matched] {
                matched += 1
                if matched == Self.endOfHead.count { return true }
            } else {
                matched = byte == Self.endOfHead[0] ? 1 : 0
            }
        }
        return false
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
    }
}

/// A server child channel with `FrontDoor` and `RequestHeadDeadline` in front of `Inner`'s own
/// handlers, and `ProtocolErrorAnswer` behind them: what the server does for a connection before
/// (and whatever) the application sees of it.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let deadline: TimeAmount
    let cap: ConnectionCap

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        let front = FrontDoor(cap: cap)
        do {
            try channel.pipeline.syncOperations.addHandlers([front, RequestHeadDeadline(deadline: deadline)], position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        // Set up and continued on the channel's event loop, as handlers are.
        let loopBound = NIOLoopBound(front, eventLoop: channel.eventLoop)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(ProtocolErrorAnswer(front: loopBound.value), position: .last)
            return value
        }
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
