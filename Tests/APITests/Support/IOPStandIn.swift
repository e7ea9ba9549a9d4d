import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Synchronization

/// The IOP (and the eMSP's `response_url`s) on loopback: a real HTTP server that records every
/// request and answers as the test says — 200/1000 by default, or an outage, or an OCPI error.
final class IOPStandIn: Sendable {
    struct Received: Sendable {
        let method: String
        let path: String
        let authorization: String?
        let body: JSONValue?
        /// What the stand-in answered: `nil` for success.
        let refusedWith: Answer?
        /// The OCPI 2.2.1 ids and routing headers it carried, by name (`X-Request-ID`, `OCPI-to-party-id`, …).
        var ocpiHeaders: [String: String] = [:]
    }

    /// The headers `Received.ocpiHeaders` keeps.
    static let ocpiHeaderNames = [
        "X-Request-ID", "X-Correlation-ID", "OCPI-from-country-code", "OCPI-from-party-id", "OCPI-to-country-code", "OCPI-to-party-id",
    ]

    enum Answer: Sendable, Equatable {
        case success
        case httpStatus(Int)
        case ocpiError(Int)
        /// HTTP 200 with this envelope (e.g. an AuthorizationInfo).
        case envelope(String)
        /// No answer until `releaseHeld()`, then success (from then on at once): an IOP endpoint
        /// that hangs until it recovers.
        case hold
    }

    /// The answer for the next requests, shared with the route handler: `rule` picks one per
    /// request (method, path), `nil` meaning the default `current`.
    private final class AnswerSetting: Sendable {
        let current = Mutex<Answer>(.success)
        let rule = Mutex<(@Sendable (String, String) -> Answer?)?>(nil)
        /// Requests presenting this `Authorization` are answered 503, whatever else is set.
        let refused = Mutex<String?>(nil)
        /// Requests answered `.hold`, waiting for `releaseHeld()`; once it was called, none wait:
        /// a request still on its way when the test released the others (or a retry after the
        /// client's read timeout) would otherwise hang for good.
        let held = Mutex<(released: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func answer(method: String, path: String) -> Answer {
            rule.withLock { $0 }?(method, path) ?? current.withLock { $0 }
        }
    }

    /// Every request but the Locations pushes, in arrival order.
    let requests: Inbox<Received>
    /// The Locations pushes (EVSE status PATCHes), apart: every charger's boot makes one, and most
    /// tests follow a command or a session and count what else the IOP received.
    let locationPushes: Inbox<Received>
    /// Its side of the credentials handshake (`/ocpi/emsp/versions`, details, credentials).
    let registrar: IOPRegistrar
    private let answer: AnswerSetting
    private let task: Task<Void, any Error>
    let port: Int

    init() async throws {
        let requests = Inbox<Received>()
        let locationPushes = Inbox<Received>()
        let answer = AnswerSetting()
        let router = Router()
        let registrar = IOPRegistrar()
        let base = Mutex<String>("")
        let record: @Sendable (Request, Context) async throws -> Response = { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let handshake = await registrar.respond(
                to: request,
                body: try? JSONValue(parsing: Array(buffer: body)),
                base: base.withLock { $0 }
            )
            if let handshake { return handshake }
            let refusedCaller = answer.refused.withLock { $0 }.map { $0 == request.headers[.authorization] } ?? false
            let given = refusedCaller ? .httpStatus(503) : answer.answer(method: request.method.rawValue, path: request.uri.path)
            if given == .hold {
                await withCheckedContinuation { continuation in
                    let wait = answer.held.withLock { held in
                        if !held.released { held.waiting.append(continuation) }
                        return !held.released
                    }
                    if !wait { continuation.resume() }
                }
            }
            (request.uri.path.contains("/locations/") ? locationPushes : requests).append(
                Received(
                    method: request.method.rawValue,
                    path: request.uri.path,
                    authorization: request.headers[.authorization],
                    body: try? JSONValue(parsing: Array(buffer: body)),
                    refusedWith: given == .success || given == .hold || { if case .envelope = given { true } else { false } }() ? nil : given,
                    ocpiHeaders: Dictionary(
                        uniqueKeysWithValues: Self.ocpiHeaderNames.compactMap { name in
                            HTTPField.Name(name).flatMap { request.headers[$0] }.map { (name, $0) }
                        }
                    )
                )
            )
            let (status, reply): (Int, String) =
                switch given {
                case .success, .hold: (200, Self.envelope(code: 1000))
                case .httpStatus(let status): (status, Self.envelope(code: 3000))
                case .ocpiError(let code): (200, Self.envelope(code: code))
                case .envelope(let body): (200, body)
                }
            return Response(
                status: .init(code: status),
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: reply))
            )
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch] { router.on("**", method: method, use: record) }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "iop-stand-in")
        )
        self.requests = requests
        self.locationPushes = locationPushes
        self.answer = answer
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
        self.registrar = registrar
        base.withLock { [port] in $0 = "http://127.0.0.1:\(port)" }
    }

    /// Answers 503 to every request that presents `authorization`, from now on: a caller that is
    /// to reach nothing, even with a request already on the wire.
    func refuse(authorization: String) { answer.refused.withLock { $0 = authorization } }

    /// Answers the requests held by `.hold`.
    func releaseHeld() {
        let waiting = answer.held.withLock { held in
            held.released = true
            defer { held.waiting.removeAll() }
            return held.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// How the next requests are answered.
    func answer(_ new: Answer) { answer.current.withLock { $0 = new } }

    /// Answers requests matching `rule` (method, path) its way; the others as `answer(_:)` says.
    func answer(where rule: @escaping @Sendable (String, String) -> Answer?) { answer.rule.withLock { $0 = rule } }

    /// The requests the stand-in accepted, in order.
    var accepted: [Received] { requests.items.filter { $0.refusedWith == nil } }

    var url: String { "http://127.0.0.1:\(port)" }

    typealias Context = BasicRequestContext

    static func envelope(code: Int) -> String {
        #"{"status_code":\#(code),"timestamp":"2026-01-01T00:00:00Z","data":{}}"#
    }

    /// The `{"result": …}` bodies POSTed to command `response_url`s, in arrival order.
    var results: [String] { requests.items.compactMap { $0.body?["result"]?.stringValue } }

    /// What arrived for the IOP's sessions and cdrs modules, in arrival order.
    var pushes: [Received] { requests.items.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") } }

    deinit { task.cancel() }
}
