import NIOCore
import NIOEmbedded
import Testing

@testable import API

/// `RequestHeadDeadline` finds the blank line ending a request head however the bytes are split
/// across reads, and nothing else (its deadline itself is tested on a real server in `IdleTimeoutTests`).
@Suite("End of a request head")
struct RequestHeadDeadlineTests {
    /// Feeds `reads` to a channel with the handler in front; true once the handler removed itself.
    static func headEnded(after reads: [String]) throws -> Bool {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline(deadline: .seconds(10)))
        for read in reads { try channel.writeInbound(ByteBuffer(string: read)) }
        let removed = (try? channel.pipeline.syncOperations.handler(type: RequestHeadDeadline.self)) == nil
        _ = try? channel.finish()
        return removed
    }

    @Test("a head ends at its blank line wherever the reads split it")
    func splitAnywhere() throws {
        let head = "GET /ocpp/CP-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n"
        for split in head.indices {
            #expect(
                try Self.headEnded(after: [String(head[..<split]), String(head[split...])]),
                "split at \(head.distance(from: head.startIndex, to: split))"
            )
        }
        #expect(try Self.headEnded(after: head.map { String($0) }), "a byte per read")
        #expect(try Self.headEnded(after: ["GET / HTTP/1.1\r\n\r", "\r\n\r\n"]), "a \\r that breaks the match starts the next one")
    }

    @Test("no blank line, no end: line ends alone, a lone \\n\\n, a broken \\r\\n\\r")
    func noBlankLine() throws {
        #expect(try !Self.headEnded(after: ["GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"]))
        #expect(try !Self.headEnded(after: ["GET / HTTP/1.1\n\n"]))
        #expect(try !Self.headEnded(after: ["GET / HTTP/1.1\r\n\r", "x\n"]))
        #expect(try !Self.headEnded(after: []))
    }
}
