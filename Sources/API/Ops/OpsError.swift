import HTTPTypes
import Hummingbird
import Ledger

/// A refused ops request, thrown from a handler or the authentication middleware: Hummingbird
/// turns it into its response, a JSON body that says what went wrong and what to do, e.g.
/// `{"error":"offset and limit must be whole numbers (limit 1…100)","status":400}`.
struct OpsError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    /// Extra headers of the answer (the `WWW-Authenticate` challenge of a 401).
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.text(
            JSONValue.object(["error": .string(message), "status": .number(String(status.code))]).canonicalText,
            contentType: "application/json",
            status: status
        )
        response.headers.append(contentsOf: headers)
        return response
    }
}
