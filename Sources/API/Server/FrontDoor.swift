import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The first handler of every connection: it answers what the pipeline behind it cannot (a
/// request the parser refused, `ProtocolErrorAnswer`), and keeps HTTP clients from taking every
/// descriptor while letting chargers in.
///
/// The cap (`ConnectionCap`) counts connections that are not an OCPP WebSocket upgrade: one whose
/// first bytes are `GET /ocpp/` is a charger's and stops counting. Past the cap, a new
/// connection must show within `sortingDeadline` that it is a charger's; anything else is
/// answered 503 and closed. So a flood of bad or idle HTTP clients cannot stop chargers from
/// connecting, and the server keeps descriptors for them.
final class FrontDoor: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let chargerPrefix = Array("GET /ocpp/".utf8)
    /// How long a connection over the cap has to show a charger's upgrade. Ten seconds, not two:
    /// when thousands of chargers reconnect at once, the accepted connections wait their turn to be
    /// read, and at two seconds hundreds of chargers were answered 503 in a 10,000-charger storm
    /// (docs/performance.md, issue 31). An idle HTTP client past the cap is still closed six times
    /// sooner than the idle timeout would.
    static let sortingDeadline = TimeAmount.seconds(10)

    private let cap: ConnectionCap
    private var context: ChannelHandlerContext?
    private var answered = false
    private var counted = false
    private var sorted = false
    private var overCap = false
    private var firstBytes: [UInt8] = []
    private var sortingTimer: Scheduled<Void>?
    /// Set when a charger's WebSocket upgrade is refused for its Basic password.
    private var unauthorizedUpgrade = false
    private static let failedUpgrade = Array("HTTP/1.1 400 Bad Request\r\n".utf8)

    init(cap: ConnectionCap) { self.cap = cap }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { opened(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        opened(context)
        context.fireChannelActive()
    }

    private func opened(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        overCap = !cap.admit()
        guard overCap else { return }
        sortingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.sortingDeadline) { [weak self] in self?.refuse(.serviceUnavailable) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closed()
        self.context = nil
    }

    /// The connection is gone (or this handler with it): it no longer counts, once.
    private func closed() {
        sortingTimer?.cancel()
        if counted { cap.release() }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !sorted {
            firstBytes += unwrapInboundIn(data).readableBytesView.prefix(Self.chargerPrefix.count - firstBytes.count)
            let charger = firstBytes.elementsEqual(Self.chargerPrefix.prefix(firstBytes.count))
            if firstBytes.count == Self.chargerPrefix.count || !charger {
                sorted = true
                sortingTimer?.cancel()
                if charger, counted {
                    cap.release()
                    counted = false
                } else if !charger, overCap {
                    refuse(.serviceUnavailable)
                    return
                }
            }
        }
        context.fireChannelRead(data)
    }

    /// Makes the answer to this connection's refused WebSocket upgrade a 401 with a Basic challenge,
    /// as OCPP 1.6 security profile 1 expects for a wrong or missing password. hummingbird-websocket
    /// answers every refused upgrade with a fixed 400, written after the route has decided; this
    /// rewrites that status line as it leaves. Call on the channel's event loop, before the refusal.
    func refuseUpgradeAsUnauthorized() { unauthorizedUpgrade = true }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard unauthorizedUpgrade else { return context.write(data, promise: promise) }
        unauthorizedUpgrade = false
        var buffer = unwrapOutboundIn(data)
        guard buffer.readableBytesView.starts(with: Self.failedUpgrade) else { return context.write(data, promise: promise) }
        buffer.moveReaderIndex(forwardBy: Self.failedUpgrade.count)
        var answer = context.channel.allocator.buffer(string: "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"OCPP\"\r\n")
        answer.writeBuffer(&buffer)
        context.write(wrapOutboundOut(answer), promise: promise)
    }

    /// Writes `status` with no body and closes, once per connection.
    func refuse(_ status: HTTPResponseStatus) {
        guard let context, !answered else { return }
        answered = true
        let text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let channel = context.channel
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// How many connections that are not chargers' the server holds at most, shared by all of them.
/// Logs once when the cap is reached and once when there is room again: a flood says so in one
/// line, not one per connection.
final class ConnectionCap: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    private let full = Atomic<Bool>(false)
    private let logger: Logger

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Counts a new connection; `false` when that puts it over the cap.
    func admit() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now > limit else { return true }
        if full.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            logger.warning("HTTP connections at the limit (\(limit), --max-http-connections): new ones that are not a charger's are answered 503")
        }
        return false
    }

    func release() {
        let now = open.subtract(1, ordering: .relaxed).newValue
        if now < limit, full.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged {
            logger.notice("HTTP connections below the limit (\(limit)) again")
        }
    }
}
