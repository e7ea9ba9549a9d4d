import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A response whose body is `text`, of the given content type: every route that answers with
    /// a body it built itself (envelopes, JSON, NDJSON, HTML, Prometheus text) makes it this way.
    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
