import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Projections

/// The OCPI 2.1.1 endpoints the IOP calls: version discovery and commands.
struct OCPIRoutes {
    let commands: CommandService
    let store: any ProjectionStore
    let clock: any LedgerClock
    /// Where the IOP reaches us when a request names no Host (`http://host:port`).
    let baseURL: String
    /// Real time a command's body has to arrive whole (`LedgerServer.Configuration.bodyTimeout`).
    let bodyTimeout: Duration
    /// Bodies larger than this are refused with an envelope before anything is parsed.
    static let maximumBody = 64 * 1024

    func register(on router: Router<LedgerRequestContext>, token: String, pull: PullRoutes, credentials: CredentialsRoutes) {
        let ocpi = router.group("ocpi").add(middleware: TokenAuthentication(token: token, store: store, clock: clock))
        pull.register(on: ocpi)
        credentials.register(on: ocpi)
        ocpi.get("versions") { request, _ in
            respond(.success(.array([.object(["version": .string("2.1.1"), "url": .string("\(base(request))/ocpi/2.1.1")])])))
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
            let segment = try context.parameters.require("command")
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
            return respond(await commands.handle(segment: segment, body: Array(buffer: body), logger: context.logger))
        }
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
    let store: any ProjectionStore
    let clock: any LedgerClock

    /// The paths a handshake token may use: version discovery and credentials.
    static let handshakePaths: Set<String> = ["/ocpi/versions", "/ocpi/2.1.1", "/ocpi/2.1.1/credentials"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Token ") else { throw refused(context) }
        let presented = String(header.dropFirst(6))
        let connection = try await store.state(IOPConnectionProjection.self, IOPConnectionProjection.key)
        let hash = SecretBox.hash(presented)
        var context = context
        if let registration = connection?.registration, connection?.registered == true,
            Self.constantTimeEquals(Array(hash.utf8), Array(registration.inboundTokenHash.utf8))
        {
            context.ocpiCaller = .peer
        } else if connection?.everRegistered != true, Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8)) {
            context.ocpiCaller = .peer
        } else if connection?.pendingTokens[hash] != nil, Self.handshakePaths.contains(Self.trimmed(request.uri.path)) {
            context.ocpiCaller = .registering(tokenHash: hash)
        } else {
            throw refused(context)
        }
        return try await next(request, context)
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
