import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Projections

/// The OCPI endpoints the IOP calls: version discovery and commands, in 2.1.1 and 2.2.1 (the pulls
/// and credentials are `PullRoutes` and `CredentialsRoutes`, on the same group and token check).
struct OCPIRoutes {
    let commands: CommandService
    let store: any ProjectionStore
    let clock: any LedgerClock
    /// The version `--iop-url` speaks: how `--token` is presented on version discovery.
    let configuredVersion: OCPIVersion
    /// Where the IOP reaches us when a request names no Host (`http://host:port`).
    let baseURL: String
    /// Real time a command's body has to arrive whole (`LedgerServer.Configuration.bodyTimeout`).
    let bodyTimeout: Duration
    /// Bodies larger than this are refused with an envelope before anything is parsed.
    static let maximumBody = 64 * 1024

    func register(on router: Router<LedgerRequestContext>, token: String, pull: PullRoutes, credentials: CredentialsRoutes) {
        let ocpi = router.group("ocpi")
            .add(middleware: TokenAuthentication(token: token, configuredVersion: configuredVersion, store: store, clock: clock))
            .add(middleware: RoutingAnswer(ours: commands.party))
        pull.register(on: ocpi)
        credentials.register(on: ocpi)
        // What the token may use: an IOP registering picks the newest version listed (spec digest
        // §4.3), so an invitation lists its own only (`ledger credentials invite --ocpi-version`).
        ocpi.get("versions") { request, context in
            respond(
                .success(
                    .array(
                        context.ocpiVersions.map {
                            .object(["version": .string($0.rawValue), "url": .string("\(base(request))/ocpi/\($0.rawValue)")])
                        }
                    )
                )
            )
        }
        ocpi.get("2.2.1") { request, _ in
            // V2-02 but Tokens: the ledger takes no token pushes (Gireve 2.2.1 sends none, C12).
            let endpoints: [(String, String)] = [
                ("credentials", "SENDER"), ("locations", "SENDER"), ("sessions", "SENDER"), ("cdrs", "SENDER"), ("tariffs", "SENDER"),
                ("commands", "RECEIVER"),
            ]
            return respond(
                .success(
                    .object([
                        "version": .string(OCPIVersion.v221.rawValue),
                        "endpoints": .array(
                            endpoints.map { identifier, role in
                                .object([
                                    "identifier": .string(identifier), "role": .string(role),
                                    "url": .string("\(base(request))/ocpi/2.2.1/\(identifier)"),
                                ])
                            }
                        ),
                    ])
                )
            )
        }
        ocpi.get("2.1.1") { request, _ in
            respond(
                .success(
                    .object([
                        "version": .string("2.1.1"),
                        "endpoints": .array(
                            [.object(["identifier": .string("credentials"), "url": .string("\(base(request))/ocpi/2.1.1/credentials")])]
                                + ["cdrs", "commands", "locations", "sessions", "tariffs"].map { module in
                                    .object(["identifier": .string(module), "url": .string("\(base(request))/ocpi/cpo/2.1.1/\(module)")])
                                }
                        ),
                    ])
                )
            )
        }
        ocpi.post("cpo/2.1.1/commands/:command") { request, context -> Response in
            let body = try await commandBody(request)
            return respond(await commands.handle(segment: try context.parameters.require("command"), body: body, logger: context.logger))
        }
        ocpi.post("2.2.1/commands/:command") { request, context -> Response in
            let exchange = RoutingHeaders.received(request.headers)
            let body = try await commandBody(request)
            let answer = await commands.handle(
                segment: try context.parameters.require("command"),
                body: body,
                logger: context.logger,
                version: .v221,
                exchange: exchange
            )
            return respond(answer)
        }
    }

    /// A command's body, whole within `bodyTimeout`, or the envelope that refuses it (413, 408).
    private func commandBody(_ request: Request) async throws -> [UInt8] {
        let body: ByteBuffer?
        do {
            body = try await Self.collect(request.body, within: bodyTimeout)
        } catch {
            throw OCPIError(
                answer: OCPIResponse(
                    httpStatus: 413,
                    statusCode: 2000,
                    statusMessage: "the body is larger than \(Self.maximumBody / 1024) KiB",
                    data: nil
                ),
                at: clock.now()
            )
        }
        guard let body else {
            throw OCPIError(
                answer: OCPIResponse(
                    httpStatus: 408,
                    statusCode: 2000,
                    statusMessage: "the body did not arrive within \(bodyTimeout); nothing was recorded",
                    data: nil
                ),
                at: clock.now(),
                headers: [.connection: "close"]
            )
        }
        return Array(buffer: body)
    }

    /// The whole body, or `nil` if it has not arrived within `timeout` (its read is then cancelled).
    static func collect(_ body: RequestBody, within timeout: Duration) async throws -> ByteBuffer? {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: Self.maximumBody) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// The URL the caller used to reach us, so discovery answers with addresses that work for it.
    func base(_ request: Request) -> String {
        request.head.authority.map { "http://\($0)" } ?? baseURL
    }

    func respond(_ response: OCPIResponse) -> Response {
        OCPIResponse.http(response, at: clock.now())
    }
}

extension OCPIResponse {
    /// The HTTP response carrying this envelope.
    static func http(_ response: OCPIResponse, at time: Timestamp) -> Response {
        .text(response.body(at: time), contentType: "application/json", status: HTTPResponse.Status(code: response.httpStatus))
    }
}

/// Who an OCPI request comes from, by the token it presented.
enum OCPICaller: Sendable, Equatable {
    /// The registered IOP (the token the ledger gave it), or, never registered, `--token`.
    case peer
    /// A token made for a handshake (`ledger credentials invite`, or the one `ledger register`
    /// offers): the versions and credentials endpoints only (spec digest C-12). Its SHA-256.
    case registering(tokenHash: String)
}

/// `Authorization: Token <token>` on every OCPI route; compared in constant time (or by SHA-256,
/// for the tokens the ledger keeps only as hashes), never logged. Once the IOP has registered,
/// only the token the registration gave lets it in: `--token` and the handshake tokens are
/// refused (C-04, C-14). Refusals are answered 401 with an envelope and are not recorded (a
/// stranger must not grow the ledger).
struct TokenAuthentication: RouterMiddleware {
    typealias Context = LedgerRequestContext
    /// `--token`: until a registration replaces it.
    let token: String
    /// The version `--iop-url` speaks (`--iop-version`): the form `--token` is presented in.
    let configuredVersion: OCPIVersion
    let store: any ProjectionStore
    let clock: any LedgerClock

    /// The paths a handshake token for `version` may use: version discovery and credentials.
    static func handshakePaths(_ version: OCPIVersion) -> Set<String> {
        ["/ocpi/versions", "/ocpi/\(version.rawValue)", "/ocpi/\(version.rawValue)/credentials"]
    }

    /// The paths both versions share.
    static let discoveryPaths: Set<String> = ["/ocpi/versions", "/ocpi/2.1.1", "/ocpi/2.2.1"]

    /// The token's form is decided by where it is used and by the connection, never globally
    /// (spec digest §3.1, X2-21; C-19): on the 2.2.1 modules Base64 only; on the 2.1.1 modules as
    /// is; on version discovery as is, and Base64 too when the connection speaks 2.2.1 — or for a
    /// handshake token, whose connection is not made yet.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Token ") else { throw refused(context) }
        let presented = String(header.dropFirst(6))
        let path = Self.trimmed(request.uri.path)
        let candidates: [(token: String, encoded: Bool)] =
            if path.hasPrefix("/ocpi/2.2.1/") {
                Self.base64Decoded(presented).map { [($0, true)] } ?? []
            } else if Self.discoveryPaths.contains(path) {
                [(presented, false)] + (Self.base64Decoded(presented).map { [($0, true)] } ?? [])
            } else {
                [(presented, false)]
            }
        let connection = try await store.state(IOPConnectionProjection.self, IOPConnectionProjection.key)
        for (token, encoded) in candidates {
            guard let (caller, versions) = caller(presenting: token, encoded: encoded, connection: connection, path: path) else { continue }
            var context = context
            context.ocpiCaller = caller
            context.ocpiVersions = versions
            return try await next(request, context)
        }
        throw refused(context)
    }

    /// Who presents `presented` on `path`, and the versions it may use; `nil`: nobody the ledger
    /// lets in there. A peer of a 2.2.1 connection may use both versions (commands sent over 2.1.1
    /// before the change are still answered), a 2.1.1 one only 2.1.1's discovery.
    private func caller(
        presenting presented: String,
        encoded: Bool,
        connection: IOPConnectionProjection.State?,
        path: String
    ) -> (OCPICaller, [OCPIVersion])? {
        let hash = SecretBox.hash(presented)
        let registered = connection?.registration.flatMap { connection?.registered == true ? $0 : nil }
        let linkVersion = registered.flatMap { OCPIVersion(rawValue: $0.version) } ?? (connection?.everRegistered == true ? .v211 : configuredVersion)
        let peerVersions: [OCPIVersion] = linkVersion == .v221 ? OCPIVersion.allCases : [.v211]
        let peerForm = !encoded || linkVersion == .v221 || path.hasPrefix("/ocpi/2.2.1/")
        if let registered, peerForm, Self.constantTimeEquals(Array(hash.utf8), Array(registered.inboundTokenHash.utf8)) {
            return (.peer, peerVersions)
        } else if connection?.everRegistered != true, peerForm, Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8)) {
            return (.peer, peerVersions)
        } else if connection?.pendingTokens[hash] != nil {
            let invited = OCPIVersion(recorded: connection?.invitedVersions?[hash]) ?? .v211
            guard Self.handshakePaths(invited).contains(path) else { return nil }
            return (.registering(tokenHash: hash), [invited])
        }
        return nil
    }

    /// The token inside an OCPI 2.2.1 header value: strict RFC 4648 Base64 of its UTF-8 (a newline
    /// encoded with it, as in the spec's own examples, is part of what was sent: no match).
    static func base64Decoded(_ value: String) -> String? {
        guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8), !text.isEmpty else { return nil }
        return text
    }

    private func refused(_ context: Context) -> OCPIError {
        context.logger.notice("OCPI request refused: missing or wrong token")
        return OCPIError(answer: .unauthorized, at: clock.now())
    }

    private static func trimmed(_ path: String) -> String { path.hasSuffix("/") ? String(path.dropLast()) : path }

    /// Compares without an early exit, so the time taken does not tell how much of a guess was right.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }
}
