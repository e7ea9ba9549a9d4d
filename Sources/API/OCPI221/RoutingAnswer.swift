import Hummingbird

/// Every OCPI 2.2.1 answer carries the request's `X-Request-ID` and `X-Correlation-ID` back, and on
/// the functional modules the routing swapped — from this CPO to whoever asked (spec digest §3.2,
/// §3.3); the configuration modules (credentials, version details) carry no routing headers.
struct RoutingAnswer: RouterMiddleware {
    typealias Context = LedgerRequestContext
    /// This CPO, `FR/ABC`.
    let ours: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/ocpi/2.2.1") else { return try await next(request, context) }
        let exchange = RoutingHeaders.received(request.headers)
        let configuration = path == "/ocpi/2.2.1" || path.hasPrefix("/ocpi/2.2.1/credentials")
        let headers = RoutingHeaders.answering(exchange, ours: ours, routing: !configuration)
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch var refusal as OCPIError {
            // A refusal (404, 405, a bad pull parameter) answers the same request.
            refusal.headers.append(contentsOf: headers)
            throw refusal
        }
    }
}
