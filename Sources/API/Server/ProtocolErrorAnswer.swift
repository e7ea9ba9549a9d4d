import NIOCore
import NIOHTTP1

/// Answers a request the HTTP parser cannot read — garbage bytes, both Content-Length and
/// Transfer-Encoding, a negative or doubled Content-Length, a head over the parser's limit, the
/// HTTP/2 preface — with 400 (431 for a head too large), through `FrontDoor`, which closes.
///
/// Why: the WebSocket-upgrade pipeline turns its own error handling off and leaves it to the
/// application, which never sees a request it could not parse; such a connection got no answer
/// and stayed open past every timeout (the head deadline had seen a blank line, the idle timer
/// had seen no request). 20,000 of them, without a token, exhausted the server's descriptors.
/// The error is caught at the end of the pipeline (this handler, last), where the parser's
/// errors arrive; the answer is raw bytes written at its front.
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
