import Foundation
import Hummingbird
import Ledger
import Logging
import NIOCore
import Projections

/// `GET/POST/PUT/DELETE /ocpi/{2.1.1,2.2.1}/credentials`: the IOP registers, updates and
/// unregisters (OCPI 2.1.1 `credentials.md`; spec digest §5.2, vectors C-03…C-15; 2.2.1: the
/// roles list, ocpi-2.2.1-deltas.md §4, V2-03/V2-04, X2-19/X2-20). Wrong registration state
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
        for version in OCPIVersion.allCases { register(version, on: group) }
    }

    /// The credentials module of `version`: a registration through it makes the connection speak
    /// that version (Gireve 2.2.1: the IOP registers, and unregisters rather than updates).
    private func register(_ version: OCPIVersion, on group: RouterGroup<LedgerRequestContext>) {
        let path = RouterPath("\(version.rawValue)/credentials")
        group.get(path) { request, context -> Response in
            guard context.ocpiCaller == .peer, let token = Self.presentedToken(request, version) else { throw notAllowed("register first") }
            let ours = registration.party.credentials(token: token, versionsURL: versionsURL(request))
            return respond(.success(ours.json(version)))
        }
        group.post(path) { request, context -> Response in
            guard case .registering(let hash) = context.ocpiCaller,
                try await registration.connection()?.pendingTokens[hash] == "invitation"
            else { throw notAllowed("already registered, or not a registration token (`ledger credentials invite` makes one)") }
            return try await accept(request, reason: "registration", version: version, logger: context.logger)
        }
        group.put(path) { request, context -> Response in
            guard context.ocpiCaller == .peer, try await registration.connection()?.registered == true else { throw notAllowed("not registered") }
            return try await accept(request, reason: "update", version: version, logger: context.logger)
        }
        group.delete(path) { _, context -> Response in
            guard context.ocpiCaller == .peer, try await registration.connection()?.registered == true else { throw notAllowed("not registered") }
            do { try await registration.unregister(by: "iop") } catch { return respond(.serverError("\(error)")) }
            context.logger.notice("the IOP unregistered: its token is refused from now on; pushes wait in the outbox")
            return respond(.success(.object([:])))
        }
    }

    private func accept(_ request: Request, reason: String, version: OCPIVersion, logger: Logger) async throws -> Response {
        let body = try await request.body.collect(upTo: OCPIRoutes.maximumBody)
        guard let json = try? JSONValue(parsing: Array(buffer: body)) else { return respond(.malformed("the body is not JSON")) }
        let theirs: Credentials
        do { theirs = try Credentials(json, version: version) } catch { return respond(.invalid(error.message)) }
        do {
            let ours = try await registration.accept(theirs, reason: reason, versionsURL: versionsURL(request), version: version)
            logger.notice(
                "the IOP \(reason == "update" ? "updated its" : "registered with") credentials on OCPI \(version.rawValue): \(theirs.countryCode)*\(theirs.partyId) at \(theirs.url)"
            )
            return respond(.success(ours.json(version)))
        } catch {
            logger.warning("credentials \(reason) refused: \(error.message)")
            return respond(OCPIResponse(httpStatus: 200, statusCode: error.ocpiStatus, statusMessage: error.message, data: nil))
        }
    }

    /// The token the caller presented: as is on 2.1.1, Base64-decoded on 2.2.1.
    private static func presentedToken(_ request: Request, _ version: OCPIVersion) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Token ") else { return nil }
        let value = String(header.dropFirst(6))
        return version == .v211 ? value : TokenAuthentication.base64Decoded(value)
    }

    private func notAllowed(_ why: String) -> OCPIError {
        OCPIError(answer: OCPIResponse(httpStatus: 405, statusCode: 2000, statusMessage: "not allowed now: \(why)", data: nil), at: clock.now())
    }

    private func respond(_ response: OCPIResponse) -> Response { OCPIResponse.http(response, at: clock.now()) }
}
