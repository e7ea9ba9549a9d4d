import Foundation
import Ledger
import LedgerTesting
import Testing

/// HTTP clients that go silent are disconnected after `--idle-timeout`, and so are clients that do
/// not complete their first request head within it (`RequestHeadDeadline`, against slowloris);
/// OCPP WebSockets are not (pings keep them). These wait for real time to pass — about a second
/// each, the timeout itself: it is NIO's timer being tested, which no injected clock drives.
@Suite("Idle connections", .serialized)
struct IdleTimeoutTests {
    /// Opens a TCP connection, sends `bytes`, and returns how long until the server closed it
    /// (`nil`: still open after 10 s).
    static func secondsUntilClosed(port: Int, sending bytes: String) throws -> Double? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError() }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError() }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        if !bytes.isEmpty { _ = bytes.withCString { send(descriptor, $0, strlen($0), 0) } }
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 1024)
        while ContinuousClock.now - start < .seconds(10) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            let elapsed = ContinuousClock.now - start
            if count == 0 { return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 }
            // A signal (a child process of another test ending) interrupts the wait: wait again.
            if count < 0, errno != EINTR { return nil }
        }
        return nil
    }

    struct SocketError: Error {}

    @Test("a client that stays silent after its request is disconnected")
    func idleClientsAreDisconnected() async throws {
        try await ServerHarness.with(idleTimeout: .seconds(1)) { server in
            let port = server.port
            let closedAfter = try await ChildProcess.offThePool {
                try Self.secondsUntilClosed(port: port, sending: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            }
            let seconds = try #require(closedAfter, "the server kept an idle connection open for 10 s")
            #expect(seconds < 5)
        }
    }

    @Test(
        "a client that never completes its first request head is disconnected (slowloris)",
        arguments: [
            "", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n", "GET /ocpp/CP-0042-A HTTP/1.1\r\nUpgrade: websocket\r\n",
        ]
    )
    func incompleteHeadsAreDisconnected(bytes: String) async throws {
        try await ServerHarness.with(idleTimeout: .seconds(1)) { server in
            let port = server.port
            let closedAfter = try await ChildProcess.offThePool { try Self.secondsUntilClosed(port: port, sending: bytes) }
            let seconds = try #require(closedAfter, "the server kept a connection without a request head open for 10 s")
            #expect(seconds < 5)
        }
    }

    @Test("a charger's quiet WebSocket outlives the idle timeout")
    func chargersStayConnected() async throws {
        try await ServerHarness.with(idleTimeout: .seconds(1)) { server in
            let charger = try await ChargerSimulator(id: CommandPathTests.chargePoint, port: server.port, mode: "accept")
            defer { charger.stop() }
            try await Task.sleep(for: .milliseconds(2500))  // the thing under test is time passing
            charger.send(#"{"send":"Heartbeat"}"#)
            try await charger.waitFor("the heartbeat answered") { $0["action"]?.stringValue == "Heartbeat" && $0["event"]?.stringValue == "result" }
            #expect(try await server.events("ChargePointDisconnected").isEmpty)
        }
    }
}
