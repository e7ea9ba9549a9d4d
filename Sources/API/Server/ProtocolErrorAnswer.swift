import NIOCore
import NIOHTTP1

/// Answers a request the HTTP parser cannot read — garbage bytes, both Content-Length and
/// Transfer-Encoding, a negative or doubled Content-Length, a head over the parser's limit, the
/// HTTP/2 preface — with 400 (431 for a head too large) and closes the connection.
///
/// Why: the WebSocket-upgrade pipeline turns its own error handling off and leaves it to the
/// application, which never sees a request it could not parse; such a connection got no answer
/// and stayed open past every timeout (the head deadline had seen a blank line, the idle timer
/// had seen no request). 20,000 of them, without a token, exhausted the server's descriptors.
///
/// The answer is raw bytes written at the front of the pipeline (`FrontDoor`, first), since the
/// HTTP encoder behind it cannot be trusted to be in a state to encode a response; the error is
/// caught at the end (`ProtocolErrorAnswer`, last), where the parser's errors arrive.
final class FrontDoor: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var answered = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes `status` with no body and closes, once per connection.
    func refuse(_ status: HTTPResponseStatus) {
        guard let context, !answered else { return }
        answered = true
        let text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let channel = context.channel
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: text))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The back half of `FrontDoor`: turns the parser's errors into its answer.
final class ProtocolErrorAnswer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let front: FrontDoor

    init(front: FrontDoor) { self.front = front }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError {
            front.refuse(error == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest)
        }
        context.fireErrorCaught(error)
    }
}
