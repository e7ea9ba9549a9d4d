import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOPosix
import Simulation
import Synchronization
import Testing

@testable import API

/// `ChargerInbox`: a charger's frames are read while its message before is handled, over a real
/// WebSocket on 127.0.0.1 whose server pings every three seconds (the ledger's period is 60 s;
/// the mechanism is the same). Tests wait for pings the client answered, never for a time.
@Suite("Charger inbox")
struct ChargerInboxTests {
    /// A WebSocket server whose one route serves through `ChargerInbox`: every message waits for
    /// `open()`, then is answered `[3,"<id>",{}]`. Why each connection ended arrives in `ends`.
    final class Server: Sendable {
        let port: Int
        let ends: AsyncStream<String>
        private let gate = Gate()
        private let task: Task<Void, any Error>

        init() async {
            let (ends, ended) = AsyncStream.makeStream(of: String.self)
            self.ends = ends
            let router = Router(context: BasicWebSocketRequestContext.self)
            let gate = self.gate
            router.ws("charger") { inbound, outbound, _ in
                let reason = await ChargerInbox.serve(inbound, outbound, maxSize: 1 << 16) { text in
                    await gate.pass()
                    let id = text.split(separator: ",", maxSplits: 2)[1]
                    return "[3,\(id),{}]"
                }
                ended.yield(reason)
            }
            let (ports, port) = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                router: Router(),
                server: .http1WebSocketUpgrade(
                    webSocketRouter: router,
                    configuration: .init(http1: .init(), ws: .init(autoPing: .enabled(timePeriod: .seconds(3))))
                ),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in port.yield(channel.localAddress?.port ?? 0) },
                // Silent: each test ends its server by cancelling it, which Hummingbird logs as errors.
                logger: Logger(label: "charger-inbox-test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            task = Task { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            self.port = await iterator.next() ?? 0
        }

        /// Lets every message waiting (and every later one) be answered.
        func open() { gate.open() }

        func connect(onPing: (@Sendable () -> Void)? = nil) async throws -> SwarmConnection {
            try await SwarmConnection.connect(
                host: "127.0.0.1",
                port: port,
                path: "/charger",
                subprotocol: "ocpp1.6",
                group: MultiThreadedEventLoopGroup.singleton,
                onPing: onPing
            )
        }

        /// Ends the server; the gate opens first, so that no handler holds the shutdown.
        func stop() async {
            open()
            task.cancel()
            _ = await task.result
        }
    }

    /// Holds the server's messages until the test opens it.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func pass() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if !state.open { state.waiting.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiting = state.withLock { state in
                state.open = true
                defer { state.waiting.removeAll() }
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    @Test func aChargerWhoseMessageWaitsThroughSeveralPingPeriodsStaysConnectedAndGetsItsAnswer() async throws {
        let server = await Server()
        let pings = Mutex(0)
        let connection = try await server.connect(onPing: {
            // A second ping: the pong to the first was read while the message below waited (the
            // auto-ping sends the next ping only then; read and handled in one loop, the server
            // closed the connection instead). A period of three seconds, not less: on a loaded CI
            // machine a tenth of a second, and once (fresh-clone run at 22f80b6) a second, was not
            // enough to read a pong.
            let count = pings.withLock { count in
                count += 1
                return count
            }
            if count == 2 { server.open() }
        })
        let answer: Result<SwarmConnection.Answer, any Error>
        do { answer = .success(try await connection.call("Heartbeat", payload: "{}", timeout: .seconds(60))) } catch { answer = .failure(error) }
        let pinged = pings.withLock { $0 }
        await connection.close()
        await server.stop()
        #expect(throws: Never.self) { try answer.get() }
        #expect(pinged >= 2)
    }

    @Test func aChargerThatSendsMoreMessagesThanTheInboxHoldsBeforeTheirAnswersIsClosed() async throws {
        let server = await Server()
        let connection = try await server.connect()
        // One message in handling (waiting for the gate), `waitingAtMost` waiting, and one more.
        let sent = ChargerInbox.waitingAtMost + 2
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<sent {
                group.addTask { (try? await connection.call("Heartbeat", payload: "{}", timeout: .seconds(60))) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        server.open()
        var ends = server.ends.makeAsyncIterator()
        let reason = await ends.next()
        await connection.close()
        await server.stop()
        #expect(failures == sent)
        #expect(reason == "sent more than \(ChargerInbox.waitingAtMost) messages before their answers")
    }

    @Test func aChargerThatAwaitsEachAnswerIsAnsweredInOrderAndItsCloseIsRecordedAsItsOwn() async throws {
        let server = await Server()
        server.open()
        let connection = try await server.connect()
        for action in ["BootNotification", "StatusNotification", "Heartbeat"] {
            #expect(try await connection.call(action, payload: "{}", timeout: .seconds(60)).payload == "{}")
        }
        await connection.close()
        var ends = server.ends.makeAsyncIterator()
        let reason = await ends.next()
        await server.stop()
        #expect(reason == "closed by the charger")
    }
}
