import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Testing

/// A `response_url` is called with the CPO's token: it is checked when it arrives and again before
/// every delivery, and nothing the HTTP client cannot take reaches it (a port of 99999 once trapped
/// the process, on every restart).
@Suite("response_url checks and policy", .serialized)
struct ResponseURLTests {
    static let policy = ResponseURLPolicy(iopURL: nil, allowedHosts: [])

    @Test(
        "URLs the ledger cannot or must not call are refused with a reason, in every spelling",
        arguments: [
            "http://127.0.0.1:99999/x", "http://127.0.0.1:65536/x", "http://127.0.0.1:4294967297/x", "http://example.net:0/x",
            "file:///etc/passwd", "ftp://example.net/x", "gopher://example.net/x", "javascript:alert(1)", "http:///x", "not a url",
            "http://user:pass@example.net/x",
            "http://127.0.0.1:8080/x", "http://localhost/x", "http://api.localhost/x", "http://2130706433/x", "http://0x7f000001/x",
            "http://127.1/x", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://10.1.2.3/x", "http://172.16.0.1/x",
            "http://192.168.1.1/x", "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/x", "http://[fd00::1]/x", "http://0.0.0.0/x",
        ]
    )
    func refused(url: String) {
        #expect(throws: OutboundURL.Refused.self, "\(url)") { try Self.policy.check(url) }
    }

    @Test("public http and https URLs pass when no host is listed; only listed hosts (and the IOP's) when some are")
    func allowed() throws {
        #expect(try Self.policy.check("https://iop.example.net/ocpi/emsp/2.1.1/commands/START_SESSION/1").host == "iop.example.net")
        #expect(try Self.policy.check("HTTP://EMSP.Example.NET:8443/r").port == 8443)
        let listed = ResponseURLPolicy(iopURL: "https://iop.example.net/ocpi/emsp/2.1.1", allowedHosts: ["127.0.0.1"])
        #expect(try listed.check("http://127.0.0.1:9/r").host == "127.0.0.1")
        #expect(try listed.check("https://iop.example.net/r").host == "iop.example.net")
        #expect(throws: OutboundURL.Refused.self) { try listed.check("https://emsp.example.net/r") }
        #expect(throws: OutboundURL.Refused.self) { try listed.check("http://127.0.0.1:99999/r") }
    }

    @Test(
        "a START_SESSION whose response_url names an impossible port is answered 2001 before anything goes out; the server stays up",
        arguments: ["http://127.0.0.1:99999/x", "http://127.0.0.1:65536/x", "http://127.0.0.1:4294967297/x"]
    )
    func impossiblePortRefused(url: String) async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let refused = try await server.command("START_SESSION", try Requests.vector("G-01", responseURL: url))
            #expect(refused.statusCode == 2001, "\(String(describing: refused.envelope))")
            #expect(refused.envelope?["status_message"]?.stringValue?.contains("does not exist") == true)
            #expect(try await server.events("CommandDispatched").isEmpty)
            #expect(try await server.events("DeliveryScheduled").isEmpty)
            let accepted = try await server.command("START_SESSION", try Requests.vector("G-01", responseURL: "http://127.0.0.1:9/ok"))
            #expect(accepted.result == "ACCEPTED")
        }
    }

    @Test("a response_url to a host the CPO does not send to is answered 2001 naming the rule")
    func unlistedHostRefused() async throws {
        try await ServerHarness.with { server in
            let refused = try await server.command(
                "START_SESSION",
                try Requests.vector("G-01", responseURL: "http://169.254.169.254/latest/meta-data")
            )
            #expect(refused.statusCode == 2001)
            #expect(refused.envelope?["status_message"]?.stringValue?.contains("is not one this CPO sends to") == true)
        }
    }

    /// An older ledger (or an older binary's checks) may hold such a delivery: it is parked at
    /// once, never handed to the HTTP client, and the server goes on.
    @Test("an outbox delivery to an impossible URL, put there through the store, is parked at once and the server stays up")
    func undeliverableParked() async throws {
        try await ServerHarness.with { server in
            let scheduled = DeliveryScheduled(
                deliveryId: "dlv-poison",
                kind: .commandResult,
                target: "response_url:poison",
                method: "POST",
                url: "http://127.0.0.1:99999/x",
                body: #"{"result":"ACCEPTED"}"#,
                commandId: "poison"
            )
            _ = try await server.store.append(
                [try EventCoding.newEvent(scheduled, metadata: EventMetadata(source: "ocpi"))],
                to: "delivery-dlv-poison",
                expectedVersion: .noStream
            )
            let parked = try await server.waitForEvent("DeliveryParked")
            #expect(parked.data.value["reason"]?.stringValue?.contains("does not exist") == true)
            #expect(try await server.request(.GET, "/health").httpStatus == 200)
        }
    }
}
