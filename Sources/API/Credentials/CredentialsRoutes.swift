import Foundation
import Hummingbird
import Ledger
import Logging
import NIOCore
import Projections

/// `GET/POST/PUT/DELETE /ocpi/2.1.1/credentials`: the IOP registers, updates and unregisters
/// (OCPI 2.1.1 `credentials.md`; spec digest §5.2, vectors C-03…C-15). Wrong registration state
/// is HTTP 405, a body that is not JSON 400, a bad field 2001, the IOP's API unusable during the
/// handshake 3001/3002/3003 (HTTP 200, [REC]) — and nothing is recorded on any of those.
struct CredentialsRoutes {
    let registration: Registration
    /// `--public-url`; without it, the address the caller used (as version discovery answers).
    let publicURL: String?
    let clock: any LedgerClock

    /// The versions URL our credentials advertise.
    private func versionsURL(_ request: Request) -> String {
        "\(publicURL ?? request.head.authority.map { "http://\($0)" } ?? "")/ocpi/versions"
    }

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("2.1.1/credentials") { request, context -> Response in
            guard context.ocpiCaller == .peer, let token = Self.presentedToken(request) else { throw notAllowed("register first") }
            let ours = registration.party.credentials(token: token, versionsURL: versionsURL(request))
            return respond(.success(ours.json))
        }
        group.post("2.1.1/credentials") { request, context -> Response in
            guard case .registering(let hash) = context.ocpiCaller,
                try await registration.connection()?.pendingTokens[hash] == "invitation"
            else { throw notAllowed("already registered, or not a registration token (`ledger credentials invite` makes one)") }
            return try await accept(request, reason: "registration", logger: context.logger)
        }
        group.put("2.1.1/credentials") { request, context -> Response in
            guard context.ocpiCaller == .peer, try await registration.connection()?.registered == true else { throw notAllowed("not registered") }
            return try await accept(request, reason: "update", logger: context.logger)
        }
        group.delete("2.1.1/credentials") { _, context -> Response in
            guard context.ocpiCaller == .peer, try await registration.connection()?.registered == true else { throw notAllowed("not registered") }
            do { try await registration.unregister(by: "iop") } catch { return respond(.serverError("\(error)")) }
            context.logger.notice("the IOP unregistered: its token is refused from now on; pushes wait in the outbox")
            return respond(.success(.object([:])))
        }
    }

    private func accept(_ request: Request, reason: String, logger: Logger) async throws -> Response {
        let body = try await request.body.collect(upTo: OCPIRoutes.maximumBody)
        guard let json = try? JSONValue(parsing: Array(buffer: body)) else { return respond(.malformed("the body is not JSON")) }
        let theirs: Credentials
        do { theirs = try Credentials(json) } catch { return respond(.invalid(error.message)) }
        do {
            let ours = try await registration.accept(theirs, reason: reason, versionsURL: versionsURL(request))
            logger.notice(
                "the IOP \(reason == "update" ? "updated its" : "registered with") credentials: \(theirs.countryCode)*\(theirs.partyId) at \(theirs.url)"
            )
            return respond(.success(ours.json))
        } catch {
            logger.warning("credentials \(reason) refused: \(error.message)")
            return respond(OCPIResponse(httpStatus: 200, statusCode: error.ocpiStatus, statusMessage: error.message, data: nil))
        }
    }

    private static func presentedToken(_ request: Request) -> String? {
        request.headers[.authorization].flatMap { $0.hasPrefix("Token ") ? String($0.dropFirst(6)) : nil }
    }

    private func notAllowed(_ why: String) -> OCPIError {
        OCPIError(answer: OCPIResponse(httpStatus: 405, statusCode: 2000, statusMessage: "not allowed now: \(why)", data: nil), at: clock.now())
    }

    private func respond(_ response: OCPIResponse) -> Response { OCPIResponse.http(response, at: clock.now()) }
}
