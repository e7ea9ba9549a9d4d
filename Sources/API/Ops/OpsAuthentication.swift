import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The ops token, as `Authorization: Bearer <token>` (tools) or as the password of a Basic login
/// whose user name is the operator's name (a browser on the ops page asks for it natively, and
/// the name is recorded with every action taken). Compared in constant time, never logged.
///
/// A form POST must come from the ops page itself: a browser sends Basic credentials with any
/// request to this host, so a POST another site makes it send (`Sec-Fetch-Site` other than
/// `same-origin`, or a foreign `Origin`) is refused.
struct OpsAuthentication: RouterMiddleware {
    typealias Context = LedgerRequestContext
    /// `nil`: the ops routes are disabled.
    let token: String?
    /// What a refusal asks for: `Bearer` on the API, `Basic realm=…` on the page.
    let challenge: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            throw OpsError(.notFound, "the ops API is disabled: start `ledger serve` with --ops-token (LEDGER_OPS_TOKEN)")
        }
        guard let login = Self.authenticate(request.headers[.authorization], token: token) else {
            context.logger.notice("ops request refused: missing or wrong ops token")
            throw OpsError(
                .unauthorized,
                "send Authorization: Bearer <ops-token>, or log in with your name and the ops token",
                headers: [.wwwAuthenticate: challenge]
            )
        }
        if request.method == .post {
            guard Self.isSameOrigin(request) else { throw OpsError(.forbidden, "ops actions are taken from the ops page on this host") }
            // The bearer token reads; a change needs a person, whose name the ledger records with it.
            guard case .operator = login else {
                throw OpsError(.forbidden, "ops actions need an operator's name: log in on the ops page with your name and the ops token")
            }
        }
        var context = context
        if case .operator(let name) = login { context.operatorName = name }
        return try await next(request, context)
    }

    /// Who presented the ops token: a tool (`Bearer`: read-only), or an operator by name (Basic).
    enum Login: Equatable {
        case tool
        case `operator`(String)
    }

    /// The login, or `nil` when the token is missing or wrong.
    static func authenticate(_ header: String?, token: String) -> Login? {
        guard let header else { return nil }
        if header.hasPrefix("Bearer ") {
            return TokenAuthentication.constantTimeEquals(Array(header.utf8.dropFirst(7)), Array(token.utf8)) ? .tool : nil
        }
        guard let login = BasicCredentials(authorization: header) else { return nil }
        let name = login.user.trimmingCharacters(in: .whitespaces)
        guard TokenAuthentication.constantTimeEquals(Array(login.password.utf8), Array(token.utf8)), !name.isEmpty else { return nil }
        return .operator(String(name.prefix(64)))
    }

    private static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite], site != "same-origin" { return false }
        if let origin = request.headers[.origin], let authority = request.head.authority {
            return origin == "http://\(authority)" || origin == "https://\(authority)"
        }
        return true
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
}
