import API
import AsyncHTTPClient
import Foundation
import Ledger
import LedgerTesting
import Logging
import NIOCore
import NIOHTTP1
import PostgresStore
import Projections

/// `ledger serve` in this process, on a free port, with a manual clock: the real server (HTTP,
/// WebSocket, timeouts, outbox) whose time only moves when the test says. On PostgreSQL it
/// coordinates with the other servers on its database, as `ledger serve` does (several harnesses
/// on one `ledger`, sharing a `clock`, are several instances).
final class ServerHarness: Sendable {
    static let token = "iop-token-for-abc-example"
    static let iopToken = "7c1e9d44-cpo-token-example"
    /// Seals the IOP token of a registration in these ledgers (`SecretBox`).
    static let secretKey = SecretBox.newKey()
    static let opsToken = "ops-token-for-the-tests"

    let directory: TemporaryDirectory
    /// The ledger the server runs on: SQLite in `directory`, or a PostgreSQL scratch database.
    let ledger: ScratchLedger
    let store: any ProjectionStore
    let coordination: any InstanceCoordination
    let clock: ManualClock
    let port: Int
    let client: HTTPClient
    private let task: Task<Void, any Error>
    private let stopSignal: AsyncStream<Void>.Continuation

    /// Private: a server is only had through `with`, which stops it on every path. A harness
    /// left running when its test threw took the whole test process down (AsyncHTTPClient's
    /// fatal error on a client never shut down), losing every later result.
    private init(
        commands: Set<CommandType>,
        directory: TemporaryDirectory,
        ledger: ScratchLedger?,
        iop: String?,
        opsToken: String?,
        locations: LocationRegistry?,
        tariffs: TariffCatalog?,
        idleTimeout: Duration,
        bodyTimeout: Duration,
        clock: ManualClock?,
        iopVersion: OCPIVersion
    ) async throws {
        let ledger = ledger ?? ScratchLedger(kind: .sqlite, db: directory.path("ledger.sqlite"))
        let clock = clock ?? ManualClock(Timestamp(Date()))
        let locations = try locations ?? LocationRegistry(contentsOf: Self.examplesLocations)
        let (store, coordination) = try await ledger.openServed(clock: clock)
        let endpoint = iop.map {
            IOPEndpoint(url: "\($0)/ocpi/\(iopVersion == .v221 ? "2.2.1" : "emsp/2.1.1")", countryCode: "FR", partyId: "ABC", version: iopVersion)
        }
        // As `ledger serve --tariffs` does before it listens.
        if let tariffs { _ = try await TariffPublisher(store: store, push: endpoint).publish(tariffs) }
        var logger = Logger(label: "ledger-under-test")
        logger.logLevel = .warning
        let server = LedgerServer(
            configuration: .init(
                host: "127.0.0.1",
                port: 0,
                locations: locations,
                token: Self.token,
                iopToken: Self.iopToken,
                iop: endpoint,
                commandTimeout: .seconds(30),
                offeredCommands: commands,
                opsToken: opsToken,
                idleTimeout: idleTimeout,
                responseURLHosts: Self.responseURLHosts,
                bodyTimeout: bodyTimeout,
                secrets: try SecretBox(base64: Self.secretKey)
            ),
            store: store,
            coordination: coordination,
            clock: clock,
            logger: logger
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (stops, stopSignal) = AsyncStream.makeStream(of: Void.self)
        self.stopSignal = stopSignal
        let task = Task {
            // A server that cannot start ends here without a port: the wait below learns it.
            defer { portContinuation.finish() }
            try await server.run(
                onRunning: { portContinuation.yield($0) },
                stopWhen: {
                    for await _ in stops { return }
                }
            )
        }
        self.task = task
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await store.close()
            if case .failure(let error) = await task.result { throw error }
            throw WaitTimedOut(what: "the server to start", items: "it stopped without listening")
        }
        self.port = port
        self.directory = directory
        self.ledger = ledger
        self.store = store
        self.coordination = coordination
        self.clock = clock
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    /// The response_url hosts the tests use: the IOP stand-ins on loopback, and the hosts of the
    /// spec's vectors (which nothing delivers to: those commands never reach a charger that answers).
    static let responseURLHosts = ["127.0.0.1", "iop.example.net", "emsp.xyz.example.net"]

    /// The repository's `examples/`, whose files the README's run command uses.
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "examples")
    static let examplesLocations = examples.appending(path: "locations.json")
    static let examplesTariffs = examples.appending(path: "tariffs.json")

    struct Answer {
        let httpStatus: Int
        let envelope: JSONValue?
        var statusCode: Int64? { envelope?["status_code"]?.int64Value }
        var result: String? { envelope?["data"]?["result"]?.stringValue }
    }

    /// POSTs an OCPI command as the IOP would.
    func command(_ type: String, _ body: String, token: String? = ServerHarness.token) async throws -> Answer {
        try await request(.POST, "/ocpi/cpo/2.1.1/commands/\(type)", body: body, token: token)
    }

    /// A pull GET as the IOP makes it, with the pagination headers (`X-Total-Count`, `X-Limit`, `Link`).
    func pull(_ path: String) async throws -> (Answer, [String: String]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Token \(ServerHarness.token)")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        var headers: [String: String] = [:]
        for name in ["X-Total-Count", "X-Limit", "Link"] { headers[name] = response.headers.first(name: name) }
        return (Answer(httpStatus: Int(response.status.code), envelope: try? JSONValue(parsing: Array(buffer: body))), headers)
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, token: String? = ServerHarness.token) async throws -> Answer {
        try await Self.request(client: client, port: port, method, path, body: body, token: token)
    }

    /// An OCPI 2.2.1 request as the IOP makes it: the token Base64-encoded (`authorization` sets
    /// the header's value after `Token ` as is), with `headers` (ids, routing); the answer and its headers.
    func ocpi221(
        _ method: HTTPMethod,
        _ path: String,
        body: String? = nil,
        authorization: String = Data(ServerHarness.token.utf8).base64EncodedString(),
        headers: [String: String] = [:]
    ) async throws -> (answer: Answer, headers: HTTPHeaders) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Token \(authorization)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Answer(httpStatus: Int(response.status.code), envelope: try? JSONValue(parsing: Array(buffer: bytes))), response.headers)
    }

    /// POSTs a command to a server this process did not start (`ledger serve` in a child process).
    static func post(port: Int, command: String, body: String) async throws -> Answer {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let answer = try await request(client: client, port: port, .POST, "/ocpi/cpo/2.1.1/commands/\(command)", body: body, token: token)
            try await client.shutdown()
            return answer
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    private static func request(
        client: HTTPClient,
        port: Int,
        _ method: HTTPMethod,
        _ path: String,
        body: String?,
        token: String?
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Token \(token)") }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(httpStatus: Int(response.status.code), envelope: try? JSONValue(parsing: Array(buffer: bytes)))
    }

    /// A GET on the ops API with `Authorization: <authorization>` (a bearer token by default).
    func ops(
        _ path: String,
        authorization: String? = "Bearer \(ServerHarness.opsToken)"
    ) async throws -> (status: Int, headers: HTTPHeaders, text: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }

    /// Every event of a type, decoded, in log order.
    func events(_ type: String) async throws -> [RecordedEvent] {
        try await store.readAll(after: 0, limit: .max).filter { $0.type == type }
    }

    /// Runs `body` with a fresh server, always shutting it down afterwards — also when the body
    /// throws — and removing its directory unless the caller gave it (to start another server on
    /// it later). `kind`: the store the server runs on (a fresh PostgreSQL database for
    /// `.postgres`, unless `ledger` names one). `checksLedger`: verify and replay the ledger after
    /// a clean run (off for a second instance whose ledger the first one's run checks).
    static func with<T>(
        _ kind: StoreKind = .sqlite,
        commands: Set<CommandType> = CommandType.gireve,
        directory: TemporaryDirectory? = nil,
        ledger: ScratchLedger? = nil,
        iop: String? = nil,
        opsToken: String? = ServerHarness.opsToken,
        locations: LocationRegistry? = nil,
        tariffs: TariffCatalog? = nil,
        idleTimeout: Duration = .seconds(60),
        bodyTimeout: Duration = .seconds(10),
        clock: ManualClock? = nil,
        checksLedger: Bool = true,
        iopVersion: OCPIVersion = .v211,
        _ body: (ServerHarness) async throws -> T
    ) async throws -> T {
        guard kind == .sqlite || ledger != nil else {
            return try await kind.withScratchLedger { ledger in
                try await with(
                    kind,
                    commands: commands,
                    directory: directory,
                    ledger: ledger,
                    iop: iop,
                    opsToken: opsToken,
                    locations: locations,
                    tariffs: tariffs,
                    idleTimeout: idleTimeout,
                    bodyTimeout: bodyTimeout,
                    clock: clock,
                    checksLedger: checksLedger,
                    iopVersion: iopVersion,
                    body
                )
            }
        }
        let owned = directory == nil
        let directory = try directory ?? TemporaryDirectory()
        defer { if owned { directory.remove() } }
        let server = try await ServerHarness(
            commands: commands,
            directory: directory,
            ledger: ledger,
            iop: iop,
            opsToken: opsToken,
            locations: locations,
            tariffs: tariffs,
            idleTimeout: idleTimeout,
            bodyTimeout: bodyTimeout,
            clock: clock,
            iopVersion: iopVersion
        )
        do {
            let result = try await body(server)
            try await server.stop()
            if checksLedger { try await server.expectLedgerConsistent() }
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// After a run: the hash chain verifies and a replay from position 0 rebuilds exactly the live
    /// projections — whatever the scenario did.
    func expectLedgerConsistent() async throws {
        let store = try await ledger.open(projections: false)
        let report = try await store.verify()
        let replay = try await ReplayCheck.run(store: store, scratchPath: directory.path("replay.sqlite"))
        await store.close()
        guard report.isClean else { throw WaitTimedOut(what: "a clean verify", items: report.problems.joined(separator: "; ")) }
        guard case .identical = replay else { throw WaitTimedOut(what: "an identical replay", items: "\(replay)") }
    }

    /// Shuts the server down gracefully, as SIGTERM would, and waits for it.
    func stop() async throws {
        stopSignal.yield()
        try await task.value
        try await client.shutdown()
        await store.close()
    }
}
