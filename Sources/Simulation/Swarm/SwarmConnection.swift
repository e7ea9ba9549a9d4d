import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One charger of a swarm: an OCPP-J WebSocket on a plain NIO channel. No task and no actor per
/// charger — a handler on its event loop keeps the CALLs waiting for an answer — so ten thousand
/// of them cost the load generator little next to the server it measures (`SimulatedCharger`,
/// a task group per connection, is the demo's richer and heavier client).
public struct SwarmConnection: Sendable {
    /// A CALL's answer and how long it took, from the frame written to the answer read.
    public struct Answer: Sendable {
        /// The CALLRESULT's payload as sent (a CALLERROR is thrown as `SwarmError.callError`).
        public let payload: String
        public let nanoseconds: Int64
    }

    private let channel: any Channel
    private let handler: NIOLoopBound<SwarmFrameHandler>

    /// Opens the WebSocket `path` on `host:port`, offering `subprotocol`; throws when the
    /// connection or the upgrade fails. `onPing` is told of each ping the server sends, once it
    /// is answered (how a test knows a ping period went by without a clock of its own).
    /// `answers`: the CALLRESULT payload for each action the central system may send (a
    /// RemoteStartTransaction accepted, say); any other action is answered NotSupported.
    public static func connect(
        host: String,
        port: Int,
        path: String,
        subprotocol: String,
        group: any EventLoopGroup,
        answers: [String: String] = [:],
        onPing: (@Sendable () -> Void)? = nil
    ) async throws -> SwarmConnection {
        let upgraded: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(60))
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 16) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            let handler = SwarmFrameHandler(answers: answers, onPing: onPing)
                            try channel.pipeline.syncOperations.addHandler(handler)
                            return .upgraded(channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                        }
                    }
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "\(host):\(port)")
                    headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
                    headers.add(name: "Content-Length", value: "0")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused } }
                    )
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration)
                    )
                }
            }
        switch try await upgraded.get() {
        case let .upgraded(channel, handler): return SwarmConnection(channel: channel, handler: handler)
        case .refused: throw SwarmError.refused(path)
        }
    }

    private enum Upgrade: Sendable {
        case upgraded(any Channel, NIOLoopBound<SwarmFrameHandler>)
        case refused
    }

    /// Sends `[2, id, action, payload]` and waits for its answer (`timeout` after which the
    /// CALL counts as unanswered).
    public func call(_ action: String, payload: String, timeout: TimeAmount = .seconds(120)) async throws -> Answer {
        let promise = channel.eventLoop.makePromise(of: Answer.self)
        let handler = self.handler
        channel.eventLoop.execute { handler.value.send(action: action, payload: payload, timeout: timeout, promise: promise) }
        return try await promise.futureResult.get()
    }

    /// Closes the WebSocket (a close frame, then the TCP connection).
    public func close() async {
        let handler = self.handler
        let closed = channel.eventLoop.submit { handler.value.closeGracefully() }
        _ = try? await closed.get()
        try? await channel.closeFuture.get()
    }
}

public enum SwarmError: Error, CustomStringConvertible {
    case refused(String)
    case callError(action: String, code: String)
    case unanswered(action: String)
    case closed(action: String)

    public var description: String {
        switch self {
        case .refused(let path): "the server did not upgrade \(path) to a WebSocket"
        case let .callError(action, code): "\(action) answered CALLERROR \(code)"
        case .unanswered(let action): "\(action) got no answer in time"
        case .closed(let action): "the connection closed while \(action) waited for its answer"
        }
    }
}

/// The channel's end of a swarm charger: writes CALLs as masked text frames, matches answers to
/// them by message id, answers pings, and answers the central system's own CALLs with the
/// payload given for their action, or NotSupported.
final class SwarmFrameHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private struct Waiting {
        let action: String
        let sent: NIODeadline
        let promise: EventLoopPromise<SwarmConnection.Answer>
        let timeout: Scheduled<Void>
    }

    private let answers: [String: String]
    private let onPing: (@Sendable () -> Void)?
    private var context: ChannelHandlerContext?
    private var waiting: [Int: Waiting] = [:]
    private var nextId = 1
    private var fragments: ByteBuffer?

    init(answers: [String: String], onPing: (@Sendable () -> Void)?) {
        self.answers = answers
        self.onPing = onPing
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        failAll()
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll()
        context.fireChannelInactive()
    }

    func send(action: String, payload: String, timeout: TimeAmount, promise: EventLoopPromise<SwarmConnection.Answer>) {
        guard let context else { return promise.fail(SwarmError.closed(action: action)) }
        let id = nextId
        nextId += 1
        let expiry = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.expire(id)
        }
        waiting[id] = Waiting(action: action, sent: .now(), promise: promise, timeout: expiry)
        write(#"[2,"\#(id)","\#(action)",\#(payload)]"#, context: context)
    }

    private func expire(_ id: Int) {
        guard let call = waiting.removeValue(forKey: id) else { return }
        call.promise.fail(SwarmError.unanswered(action: call.action))
    }

    func closeGracefully() {
        guard let context else { return }
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin {
                received(frame.unmaskedData, context: context)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            var data = frame.unmaskedData
            fragments?.writeBuffer(&data)
            if frame.fin, let message = fragments {
                fragments = nil
                received(message, context: context)
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            onPing?()
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    /// `[3,"id",{…}]`, `[4,"id","code",…]` or the central system's `[2,"id",…]`, read only as far
    /// as the message type and id: the payload is handed over as text.
    private func received(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        let text = String(buffer: buffer)
        let parts = text.utf8.split(separator: UInt8(ascii: ","), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let type = parts[0].last.map({ Int($0) - Int(UInt8(ascii: "0")) }) else { return }
        let id = String(decoding: parts[1].filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: " ") }, as: UTF8.self)
        let rest = String(decoding: parts[2], as: UTF8.self)
        switch type {
        case 3, 4:
            guard let number = Int(id), let call = waiting.removeValue(forKey: number) else { return }
            call.timeout.cancel()
            if type == 4 {
                let code = rest.split(separator: ",", maxSplits: 1).first.map { $0.filter { $0 != "\"" } } ?? "?"
                call.promise.fail(SwarmError.callError(action: call.action, code: String(code)))
            } else {
                let nanoseconds = NIODeadline.now().uptimeNanoseconds - call.sent.uptimeNanoseconds
                call.promise.succeed(.init(payload: String(rest.dropLast()), nanoseconds: Int64(nanoseconds)))
            }
        case 2:
            let action = String(rest.prefix { $0 != "," }.filter { $0 != "\"" && $0 != " " })
            if let payload = answers[action] {
                write(#"[3,"\#(id)",\#(payload)]"#, context: context)
            } else {
                write(#"[4,"\#(id)","NotSupported","the swarm answers no \#(action)",{}]"#, context: context)
            }
        default:
            break
        }
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func failAll() {
        let calls = waiting
        waiting = [:]
        for call in calls.values {
            call.timeout.cancel()
            call.promise.fail(SwarmError.closed(action: call.action))
        }
    }
}
