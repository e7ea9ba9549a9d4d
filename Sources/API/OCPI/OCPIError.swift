import HTTPTypes
import Hummingbird
import Ledger

/// An OCPI request refused before it reached a module (a wrong token, a body too large or too
/// slow, bad pull parameters), thrown: Hummingbird answers it with its OCPI envelope, timestamped
/// when it was refused. Nothing of it is recorded. A command's own answers, refusals included,
/// are recorded and returned by `CommandService`, not thrown.
struct OCPIError: HTTPResponseError {
    let answer: OCPIResponse
    let at: Timestamp
    /// Extra headers of the answer (`Connection: close` after a body that never came).
    var headers: HTTPFields = [:]

    var status: HTTPResponse.Status { HTTPResponse.Status(code: answer.httpStatus) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = OCPIResponse.http(answer, at: at)
        response.headers.append(contentsOf: headers)
        return response
    }
}
