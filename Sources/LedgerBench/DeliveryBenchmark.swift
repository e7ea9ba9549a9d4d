import API
import ArgumentParser
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import Ledger
import Logging
import NIOCore
import NIOWebSocket
import Projections
import Synchronization

/// Sessions end to end: OCPP transactions from simulated chargers (a minimal OCPP-J client over a
/// real WebSocket) through the ledger to a loopback IOP stand-in, counted when the IOP has the CDR.
/// Then the same with the IOP down, and the drain rate once it is back (retry backoff included).
struct DeliveryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Sessions/s delivered end to end (PUT, PATCH, CDR) and the backlog drain rate after an IOP outage.")

    @Option(help: "Simulated chargers, each running its sessions one after another.")
    var chargers = 8

    @Option(help: "Sessions in the throughput run (and again in the outage run).")
    var sessions = 400

    func run() async throws {
        let directory = try BenchmarkDirectory("deliveries")
        defer { directory.remove() }
        let logger = { var logger = Logger(label: "bench"); logger.logLevel = .critical; return logger }()
        let iop = try await IOPCounter.start(logger: logger)
        let store = try SQLiteEventStore(path: directory.path("ledger.sqlite"), observer: ProjectionEngine())
        let locations = try LocationRegistry(json: Array(Self.locations(chargers).utf8))
        let server = LedgerServer(
            configuration: .init(host: "127.0.0.1", port: 0, locations: locations, token: "bench", iopToken: "bench",
                                 iop: .init(url: "http://127.0.0.1:\(iop.port)/ocpi/emsp/2.1.1", countryCode: "FR", partyId: "ABC"),
                                 commandTimeout: .seconds(30), offeredCommands: CommandType.gireve),
            store: store, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (stops, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        let serving = Task { try await server.run(onRunning: { portContinuation.yield($0) }, stopWhen: { for await _ in stops { return } }) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("the server did not start") }

        let start = ContinuousClock.now
        try await drive(port: port, sessions: sessions, logger: logger)
        await iop.waitForCDRs(sessions)
        let seconds = (ContinuousClock.now - start).seconds
        print(String(format: "throughput: %d sessions (%d chargers) delivered in %.2f s: %.1f sessions/s end to end",
                     sessions, chargers, seconds, Double(sessions) / seconds))

        iop.setDown(true)
        try await drive(port: port, sessions: sessions, logger: logger)
        let back = ContinuousClock.now
        iop.setDown(false)
        await iop.waitForCDRs(2 * sessions)
        let drain = (ContinuousClock.now - back).seconds
        print(String(format: "backlog: %d sessions completed during the outage, all delivered %.2f s after the IOP came back: %.1f sessions/s (retry backoff included)",
                     sessions, drain, Double(sessions) / drain))
        stopContinuation.yield()
        try await serving.value
        await store.close()
        iop.stop()
    }

    /// `sessions` transactions spread over the chargers, each StartTransaction then StopTransaction.
    private func drive(port: Int, sessions: Int, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for charger in 0..<chargers {
                let count = sessions / chargers + (charger < sessions % chargers ? 1 : 0)
                group.addTask {
                    try await OCPPClient.run(url: "ws://127.0.0.1:\(port)/ocpp/CP-\(charger)", logger: logger) { client in
                        for _ in 0..<count {
                            let now = Timestamp(Date()).ocpiDateTime
                            let started = try await client.call("StartTransaction", [
                                "connectorId": .number("1"), "idTag": .string("TAG-\(charger)"), "meterStart": .number("0"), "timestamp": .string(now),
                            ])
                            guard let transactionId = started["transactionId"]?.int64Value else { throw BenchmarkError("no transaction id") }
                            _ = try await client.call("StopTransaction", [
                                "transactionId": .number(String(transactionId)), "meterStop": .number("7300"),
                                "timestamp": .string(Timestamp(Date()).ocpiDateTime),
                            ])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func locations(_ chargers: Int) -> String {
        let evses = (0..<chargers).map { #"{"uid":"EVSE-\#($0)","capabilities":["REMOTE_START_STOP_CAPABLE"],"ocpp":{"charge_point_id":"CP-\#($0)","connector_id":1}}"# }
        return #"[{"id":"LOC-1","evses":[\#(evses.joined(separator: ","))]}]"#
    }
}

/// The smallest OCPP-J charge point: sends CALLs one at a time and waits for their CALLRESULT.
enum OCPPClient {
    static func run(url: String, logger: Logger, _ body: @escaping @Sendable (inout Session) async throws -> Void) async throws {
        try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.secWebSocketProtocol: "ocpp1.6"]), logger: logger) { inbound, outbound, _ in
            var session = Session(messages: inbound.messages(maxSize: 1 << 16).makeAsyncIterator(), outbound: outbound)
            try await body(&session)
            try await outbound.close(.normalClosure, reason: nil)
        }
    }

    struct Session {
        var messages: WebSocketInboundMessageStream.AsyncIterator
        let outbound: WebSocketOutboundWriter

        mutating func call(_ action: String, _ payload: [String: JSONValue]) async throws -> JSONValue {
            let id = UUID().uuidString.lowercased()
            try await outbound.write(.text(OCPPFrame.call(messageId: id, action: action, payload: .object(payload)).text))
            while let message = try await messages.next() {
                guard case .text(let text) = message, case .callResult(id, let answer)? = try? OCPPFrame(parsing: text) else { continue }
                return answer
            }
            throw BenchmarkError("connection closed while waiting for \(action)")
        }
    }
}

/// The IOP on loopback, counting the CDRs it accepted; `down` answers 503 to everything.
final class IOPCounter: Sendable {
    private struct State {
        var down = false
        var cdrs = 0
        var waiters: [(Int, CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let boundPort = Mutex(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    var port: Int { boundPort.withLock { $0 } }

    static func start(logger: Logger) async throws -> IOPCounter {
        let counter = IOPCounter()
        let router = Router()
        let handle: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            let accepted = counter.received(isCDR: request.uri.path.hasSuffix("/cdrs"))
            return Response(status: accepted ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"status_code":\#(accepted ? 1000 : 3000),"timestamp":"2026-01-01T00:00:00Z","data":{}}"#)))
        }
        for method in [HTTPRequest.Method.post, .put, .patch] { router.on("**", method: method, use: handle) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        counter.task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        counter.boundPort.withLock { $0 = port }
        return counter
    }

    private func received(isCDR: Bool) -> Bool {
        let (accepted, ready) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            guard !state.down else { return (false, []) }
            if isCDR { state.cdrs += 1 }
            let count = state.cdrs
            let ready = state.waiters.filter { $0.0 <= count }.map(\.1)
            state.waiters.removeAll { $0.0 <= count }
            return (true, ready)
        }
        for continuation in ready { continuation.resume() }
        return accepted
    }

    func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    func waitForCDRs(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.cdrs >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    func stop() { task.withLock { $0?.cancel() } }
}
