import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The IOP on loopback, in process: accepts every Session, CDR and command result with an OCPI
/// 1000 envelope, answers token authorizations ALLOWED with a fresh `authorization_id`, and can
/// be taken down (503 to everything) and brought back. Counts the CDRs it accepted.
public final class IOPSimulator: Sendable {
    private struct State {
        var down = false
        var cdrs = 0
        var requests = 0
        var waiters: [(Int, CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    public let port: Int

    private init(port: Int, group: ServiceGroup, running: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.running = running
    }

    /// The eMSP-side base URL to give `ledger serve` as `--iop-url`.
    public var url: String { "http://127.0.0.1:\(port)/ocpi/emsp/2.1.1" }

    public static func start(logger: Logger) async throws -> IOPSimulator {
        let state = Mutex<IOPSimulator?>(nil)
        let router = Router()
        let handle: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            guard let iop = state.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return iop.answer(path: request.uri.path)
        }
        for method in [HTTPRequest.Method.post, .put, .patch] { router.on("**", method: method, use: handle) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        // Stopped by a graceful shutdown, not by cancelling its task: cancelled, the server logs
        // its waiting child channel as an error on every clean exit of the demo.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let iop = IOPSimulator(port: await iterator.next() ?? 0, group: group, running: running)
        state.withLock { $0 = iop }
        return iop
    }

    private func answer(path: String) -> Response {
        let (up, ready) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            state.requests += 1
            guard !state.down else { return (false, []) }
            if path.hasSuffix("/cdrs") { state.cdrs += 1 }
            let count = state.cdrs
            let ready = state.waiters.filter { $0.0 <= count }.map(\.1)
            state.waiters.removeAll { $0.0 <= count }
            return (true, ready)
        }
        for continuation in ready { continuation.resume() }
        guard up else { return Self.envelope(.serviceUnavailable, status: 3000, data: "null") }
        if path.hasSuffix("/authorize") {
            return Self.envelope(.ok, status: 1000, data: #"{"allowed":"ALLOWED","authorization_id":"\#(UUID().uuidString.lowercased())"}"#)
        }
        return Self.envelope(.ok, status: 1000, data: "{}")
    }

    private static func envelope(_ http: HTTPResponse.Status, status: Int, data: String) -> Response {
        let body = #"{"status_code":\#(status),"timestamp":"\#(ISO8601DateFormatter().string(from: Date()))","data":\#(data)}"#
        return Response(status: http, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    public var cdrsAccepted: Int { state.withLock { $0.cdrs } }

    /// Every Session, CDR, command result and authorization received, answered or not.
    public var requestsReceived: Int { state.withLock { $0.requests } }

    /// Returns once the IOP has accepted `count` CDRs in all.
    public func waitForCDRs(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.cdrs >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Shuts the server down gracefully and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }
}
