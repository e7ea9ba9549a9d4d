import AsyncHTTPClient
import Foundation
import Ledger
import LedgerTesting
import NIOCore
import NIOHTTP1
import TestPrerequisites
import Testing

@testable import API

/// The threat model's rules that the other suites do not already show (docs/security.md).
@Suite("Security", .serialized)
struct SecurityTests {
    @Test("an OCPI body over 64 KiB is answered 413 with an envelope, unread and not recorded")
    func bodyLimit() async throws {
        try await ServerHarness.with { server in
            let padding = String(repeating: "x", count: 64 * 1024)
            let answer = try await server.command("START_SESSION", #"{"location_id":"LOC-PARIS-0042","padding":"\#(padding)"}"#)
            #expect(answer.httpStatus == 413 && answer.statusCode == 2000)
            #expect(try await server.events("CommandReceived").isEmpty)
            // Just under the limit is read, answered and recorded.
            let fits = String(repeating: "x", count: 60 * 1024)
            #expect(try await server.command("START_SESSION", #"{"padding":"\#(fits)"}"#).statusCode == 2001)
            #expect(try await server.events("CommandReceived").count == 1)
        }
    }

    @Test("tokens are compared whole: equal only when every byte and the length match")
    func tokenComparison() {
        let token = Array("7c1e9d44-cpo-token".utf8)
        #expect(TokenAuthentication.constantTimeEquals(token, token))
        for guess in ["", "7", "7c1e9d44-cpo-toke", "7c1e9d44-cpo-token ", "8c1e9d44-cpo-token", "7c1e9d44-cpo-tokeN"] {
            #expect(!TokenAuthentication.constantTimeEquals(Array(guess.utf8), token), "\(guess)")
        }
    }

    @Test("no token, password or charger key — offered right or wrong — appears in the server's log")
    func secretsAreNeverLogged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let locations = directory.path("locations.json")
        try ChargerAuthenticationTests.locationsJSON().write(toFile: locations, atomically: true, encoding: .utf8)
        let iop = try await IOPStandIn()
        let iopToken = "iop-secret-4b1d"
        let opsToken = "ops-secret-77e0"
        let wrong = ["wrong-token-1a2b", "wrong-ops-3c4d", "wrong-key-5e6f"]
        let (server, port) = try await ServeProcess.start(
            directory,
            iop: iop.url,
            iopToken: iopToken,
            locations: locations,
            extra: ["--ops-token", opsToken]
        )
        defer { server.kill() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func get(_ path: String, _ authorization: String) async throws -> UInt {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.headers.add(name: "Authorization", value: authorization)
            return try await client.execute(request, timeout: .seconds(10)).status.code
        }
        do {
            #expect(try await get("/ocpi/versions", "Token \(wrong[0])") == 401)
            #expect(try await get("/ocpi/versions", "Token \(ServerHarness.token)") == 200)
            #expect(try await get("/ops/anomalies", "Bearer \(wrong[1])") == 401)
            #expect(try await get("/ops/anomalies", "Bearer \(opsToken)") == 200)
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
        let refused = try await ChargerSimulator.connectionOutcome(id: CommandPathTests.chargePoint, port: port, password: wrong[2])
        #expect(refused["event"]?.stringValue == "connect_failed")
        let charger = try await ChargerSimulator(
            id: CommandPathTests.chargePoint,
            port: port,
            mode: "accept",
            password: ChargerAuthenticationTests.key
        )
        defer { charger.stop() }
        let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/secret")
        #expect(try await ServerHarness.post(port: port, command: "START_SESSION", body: start).result == "ACCEPTED")
        let delivered = try await iop.requests.wait("the result, sent with our token") { !$0.isEmpty }
        #expect(delivered[0].authorization == "Token \(iopToken)")
        try await server.lines.wait("the delivery logged") { $0.contains { $0.contains(": delivered(") } }

        let log = server.lines.items
        #expect(log.contains { $0.contains("refused") })  // the refusals are logged, without what was offered
        for secret in [ServerHarness.token, iopToken, opsToken, ChargerAuthenticationTests.key] + wrong {
            #expect(!log.contains { $0.contains(secret) }, "\(secret) is in the log")
        }
        let basic = Data("\(CommandPathTests.chargePoint):\(ChargerAuthenticationTests.key)".utf8).base64EncodedString()
        #expect(!log.contains { $0.contains(basic) })
    }

    /// One request once forged a "critical" line: an authorization_id's newline and ESC were
    /// written raw into the log. And /metrics, which needs no token, labelled by the raw path segment.
    @Test("input with line breaks and ESC is escaped in the log; /metrics labels only known commands")
    func logsAndMetricsAreSafeToRead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, port) = try await ServeProcess.start(directory)
        defer { server.kill() }
        let forged = "forged\n2026-01-01T00:00:00+0000 critical chargeledger: drop everything\u{1B}[2J"
        let start = try Requests.vector("G-01", responseURL: "http://127.0.0.1:9/forged", replacing: ["authorization_id": .string(forged)])
        _ = try await ServerHarness.post(port: port, command: "START_SESSION", body: start)
        _ = try await ServerHarness.post(port: port, command: "%3Cscript%3E%0Aevil", body: start)
        let logged = try await server.lines.wait("the command logged") { $0.contains { $0.contains("answered") && $0.contains("forged") } }
        #expect(!logged.contains { $0.contains("critical chargeledger: drop everything") && !$0.contains("\\n") }, "\(logged)")
        #expect(!logged.contains { $0.unicodeScalars.contains { $0.value == 0x1B } })
        #expect(logged.contains { $0.contains(#"forged\n2026"#) && $0.contains(#"\u{1b}[2J"#) }, "\(logged)")
        // The command path logs with the request's logger: its request id beside the command's id.
        #expect(logged.contains { $0.contains("answered") && $0.contains("hb.request.id=") && $0.contains("command_id=") }, "\(logged)")

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let metrics: String
        do {
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            metrics = String(buffer: try await response.body.collect(upTo: 1 << 20))
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
        let labels = metrics.split(separator: "\n").filter { $0.hasPrefix("ledger_commands") }
        #expect(labels.contains { $0.contains(#"command="unknown""#) }, "\(labels)")
        #expect(!metrics.contains("script") && !metrics.contains("evil"), "\(labels)")
    }

    /// 20,000 connections with requests the parser could not read once held 20,000 descriptors,
    /// without a token, until chargers could no longer connect.
    @Test("2,000 requests the HTTP parser cannot read are each answered 400 or 431 and closed; a charger connects meanwhile")
    func malformedRequestsAreClosed() async throws {
        try await Prerequisite.python.require()
        try await ServerHarness.with { server in
            let script = try #require(Bundle.module.url(forResource: "Scripts", withExtension: nil)).appending(path: "malformed_flood.py")
            async let flood = ChildProcess.run("python3", [script.path(), String(server.port), "2000", "200"])
            let charger = try await ChargerSimulator(id: CommandPathTests.chargePoint, port: server.port, mode: "accept")
            charger.stop()
            let run = try await flood
            let summary = try JSONValue(parsing: Array(run.stdout.utf8))
            #expect(summary["sent"]?.int64Value == 2000 && summary["closed"]?.int64Value == 2000, "\(run.stdout)\(run.stderr)")
            #expect(summary["problems"] == .array([]), "\(run.stdout)")
            let answered = summary["answered"]
            let counted = ["400", "431", "reset"].map { answered?[$0]?.int64Value ?? 0 }
            #expect(counted.reduce(0, +) == 2000 && counted[0] > 0 && counted[1] > 0, "\(run.stdout)")
            #expect(try await server.request(.GET, "/health").httpStatus == 200)
        }
    }

    /// An authenticated body sent a byte every few seconds once held its connection for minutes.
    @Test("an authenticated command body that trickles in is answered 408 at the body deadline, closed, and nothing is recorded")
    func trickledBodyTimesOut() async throws {
        try await ServerHarness.with(bodyTimeout: .seconds(1)) { server in
            let trickle = """
                import socket, sys, time
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                s.sendall(b"POST /ocpi/cpo/2.1.1/commands/START_SESSION HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Token " + sys.argv[2].encode()
                          + b"\\r\\nContent-Length: 60\\r\\n\\r\\n")
                s.settimeout(0.3)
                started, answer = time.monotonic(), b""
                for _ in range(60):  # at most 60 bytes, one every 0.3 s: 18 s, far past the deadline
                    try:
                        s.sendall(b"{")
                        answer += s.recv(4096)
                        if answer: break
                    except socket.timeout:
                        continue
                    except OSError:
                        break
                print(answer.split(b"\\r\\n")[0].decode(), round(time.monotonic() - started, 1))
                """
            let run = try await ChildProcess.run("python3", ["-c", trickle, String(server.port), ServerHarness.token])
            #expect(run.stdout.hasPrefix("HTTP/1.1 408"), "\(run.stdout)\(run.stderr)")
            let seconds = Double(run.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 99
            #expect(seconds < 5, "\(run.stdout)")
            #expect(try await server.events("CommandReceived").isEmpty)
        }
    }

    /// A flood of HTTP clients once took every descriptor until chargers could not connect.
    @Test("past --max-http-connections, HTTP clients get 503 (an idle one is closed within 10 s) while a charger still connects")
    func httpConnectionCap() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, port) = try await ServeProcess.start(directory, extra: ["--max-http-connections", "20"])
        defer { server.kill() }
        let flood = """
            import socket, sys, time
            port = int(sys.argv[1])
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(30)]
            print("held", len(held), flush=True)
            late = socket.create_connection(("127.0.0.1", port)); late.settimeout(20)
            late.sendall(b"GET /health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            print("over the cap:", late.recv(100).split(b"\\r\\n")[0].decode(), flush=True)
            idle = socket.create_connection(("127.0.0.1", port)); idle.settimeout(20)
            started = time.monotonic(); idle.recv(100)
            print("idle closed after", round(time.monotonic() - started, 1), flush=True)
            sys.stdin.readline()
            """
        let clients = try LineProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", flood, String(port)])
        defer { clients.kill() }
        let lines = try await clients.lines.wait("the flood's report") { $0.contains { $0.hasPrefix("idle closed after") } }
        #expect(lines.contains("over the cap: HTTP/1.1 503 Service Unavailable"), "\(lines)")
        let idle = try #require(lines.first { $0.hasPrefix("idle closed after") }.flatMap { Double($0.split(separator: " ").last ?? "") })
        #expect(idle >= 9.5 && idle < 14, "\(lines)")
        let charger = try await ChargerSimulator(id: CommandPathTests.chargePoint, port: port, mode: "accept")
        charger.stop()
        try await server.lines.wait("the cap's one log line") { $0.contains { $0.contains("HTTP connections at the limit (20") } }
        clients.send("done")
        try await server.lines.wait("room again") { $0.contains { $0.contains("below the limit (20) again") } }
    }
}
