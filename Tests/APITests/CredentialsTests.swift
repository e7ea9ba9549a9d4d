import API
import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The OCPI 2.1.1 credentials handshake with a real IOP stand-in over HTTP (spec digest §5;
/// vectors C-01…C-19): both directions, token rotation, unregistration — and no token in any
/// event, log line or ops answer.
@Suite("Credentials: registering with the IOP", .serialized)
struct CredentialsTests {
    static let iopToken = "b2b2b2b2-0000-4000-8000-000000000002"

    /// The IOP's credentials of C-03, pointing at the stand-in's versions.
    static func iopCredentials(_ iop: IOPStandIn, token: String = iopToken) -> String {
        JSONValue.object([
            "url": .string("\(iop.url)/ocpi/emsp/versions"), "token": .string(token), "party_id": .string("107"),
            "country_code": .string("FR"), "business_details": .object(["name": .string("GIREVE")]),
        ]).canonicalText
    }

    static func registration(_ server: ServerHarness) -> Registration {
        Registration(
            store: server.store,
            exchange: CredentialsExchange(client: server.client),
            secrets: try? SecretBox(base64: ServerHarness.secretKey),
            party: CPOParty()
        )
    }

    /// Every recorded event and what the ops API shows of the log, as text.
    static func everythingRecorded(_ server: ServerHarness) async throws -> String {
        let events = try await server.store.readAll(after: 0, limit: .max).map { "\($0.type) \($0.data.text) \($0.metadata.text)" }
        let ops = try await server.ops("/ops/events?after=0&limit=1000", authorization: "Bearer \(ServerHarness.opsToken)").text
        return events.joined(separator: "\n") + ops
    }

    @Test(
        "IOP-initiated (C-01…C-15): the invitation token reads discovery and registers, nothing else; afterwards only the ledger's new token is let in, results go out with the IOP's token, DELETE ends it"
    )
    func registrationFromTheIOP() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let tokenA = try await Registration.invite(on: server.store, by: "test")
            // C-01, C-02: discovery with TOKEN_A, credentials listed.
            #expect(try await server.request(.GET, "/ocpi/versions", token: tokenA).httpStatus == 200)
            let details = try await server.request(.GET, "/ocpi/2.1.1", token: tokenA)
            #expect(details.envelope?["data"]?["endpoints"]?.canonicalText.contains("/ocpi/2.1.1/credentials") == true)
            // C-12, C-13, C-15, C-11: not a business token; no PUT or DELETE before registering; a stranger is 401.
            #expect(try await server.request(.GET, "/ocpi/cpo/2.1.1/locations", token: tokenA).httpStatus == 401)
            #expect(try await server.request(.PUT, "/ocpi/2.1.1/credentials", body: Self.iopCredentials(iop), token: tokenA).httpStatus == 405)
            #expect(try await server.request(.DELETE, "/ocpi/2.1.1/credentials", token: tokenA).httpStatus == 405)
            #expect(try await server.request(.GET, "/ocpi/versions", token: "nope").httpStatus == 401)
            // C-08, C-09, C-10: refused before any outbound call.
            let noToken = Self.iopCredentials(iop).replacingOccurrences(of: #""token":"\#(Self.iopToken)","#, with: "")
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: noToken, token: tokenA).statusCode == 2001)
            let longToken = Self.iopCredentials(iop, token: String(repeating: "x", count: 65))
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: longToken, token: tokenA).statusCode == 2001)
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: #"{"url": "#, token: tokenA).httpStatus == 400)
            #expect(iop.registrar.received.items.isEmpty)
            // C-06, C-07: no 2.1.1, then no locations module: 3002, 3003, nothing recorded.
            iop.registrar.versions.withLock { $0 = ["2.2.1"] }
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: Self.iopCredentials(iop), token: tokenA).statusCode == 3002)
            iop.registrar.versions.withLock { $0 = ["2.1.1"] }
            iop.registrar.modules.withLock { $0.removeAll { $0 == "locations" } }
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: Self.iopCredentials(iop), token: tokenA).statusCode == 3003)
            iop.registrar.modules.withLock { $0.append("locations") }
            #expect(try await server.events("IOPRegistered").isEmpty)

            // C-03: registered; the IOP's versions were read with its token.
            let answer = try await server.request(.POST, "/ocpi/2.1.1/credentials", body: Self.iopCredentials(iop), token: tokenA)
            #expect(answer.statusCode == 1000)
            let tokenC = try #require(answer.envelope?["data"]?["token"]?.stringValue)
            #expect(answer.envelope?["data"]?["url"]?.stringValue == "http://127.0.0.1:\(server.port)/ocpi/versions")
            #expect(answer.envelope?["data"]?["party_id"]?.stringValue == "ABC" && tokenC.count <= 64)
            #expect(iop.registrar.received.items.last?.authorization == "Token \(Self.iopToken)")
            // C-04: POST again is 405; TOKEN_A and the command-line token are refused now.
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: Self.iopCredentials(iop), token: tokenC).httpStatus == 405)
            #expect(try await server.request(.GET, "/ocpi/versions", token: tokenA).httpStatus == 401)
            #expect(try await server.request(.GET, "/ocpi/versions").httpStatus == 401)
            #expect(try await server.request(.GET, "/ocpi/2.1.1/credentials", token: tokenC).envelope?["data"]?["token"]?.stringValue == tokenC)

            // A command with the new token is taken; its result goes out with the IOP's token.
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/1")
            #expect(try await server.command("START_SESSION", start, token: tokenC).result == "ACCEPTED")
            let result = try await iop.requests.wait("the result") { $0.contains { $0.path.hasSuffix("/START_SESSION/1") } }
            #expect(result.first { $0.path.hasSuffix("/START_SESSION/1") }?.authorization == "Token \(Self.iopToken)")
            // The EVSE status went to the discovered locations module, with the IOP's token too.
            let status = try await iop.locationPushes.wait("the EVSE status") { !$0.isEmpty }
            #expect(status[0].authorization == "Token \(Self.iopToken)")

            // C-14: unregistered; TOKEN_C is refused from then on.
            let deleted = try await server.request(.DELETE, "/ocpi/2.1.1/credentials", token: tokenC)
            #expect(deleted.httpStatus == 200 && deleted.envelope?["data"] == .object([:]))
            #expect(try await server.request(.GET, "/ocpi/versions", token: tokenC).httpStatus == 401)

            // C-18: while unregistered a status change queues and waits; after the IOP registers
            // again it goes out, with the new registration's token.
            charger.send(#"{"send":"StatusNotification","connector":1,"status":"Charging"}"#)
            _ = try await server.waitForEvent("DeliveryAttempted") { $0.data.value["error"]?.stringValue?.contains("unregistered") == true }
            #expect(iop.locationPushes.items.count == 1)
            let secondA = try await Registration.invite(on: server.store, by: "test")
            let again = try await server.request(
                .POST,
                "/ocpi/2.1.1/credentials",
                body: Self.iopCredentials(iop, token: "iop-token-B2"),
                token: secondA
            )
            #expect(again.statusCode == 1000)
            let resumed = try await server.advance(iop, inbox: \.locationPushes, by: 600_000, until: "the CHARGING status") { $0.count == 2 }
            #expect(resumed[1].body?["status"]?.stringValue == "CHARGING" && resumed[1].authorization == "Token iop-token-B2")

            let recorded = try await Self.everythingRecorded(server)
            for secret in [tokenA, tokenC, Self.iopToken, secondA, "iop-token-B2"] {
                #expect(!recorded.contains(secret), "a token reached the log or the ops API")
            }
            #expect(recorded.contains("IOPRegistered") && recorded.contains("IOPUnregistered"))
        }
    }

    @Test("the IOP's versions unusable during its POST (C-05): 3001, still unregistered, the invitation still valid")
    func unreachableIOP() async throws {
        let iop = try await IOPStandIn()
        iop.answer(.httpStatus(503))
        try await ServerHarness.with { server in
            let tokenA = try await Registration.invite(on: server.store, by: "test")
            let body = JSONValue.object([
                "url": .string("\(iop.url)/down/versions"), "token": .string(Self.iopToken), "party_id": .string("107"),
                "country_code": .string("FR"), "business_details": .object(["name": .string("GIREVE")]),
            ]).canonicalText
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: body, token: tokenA).statusCode == 3001)
            #expect(try await server.events("IOPRegistered").isEmpty)
            #expect(try await server.request(.GET, "/ocpi/versions", token: tokenA).httpStatus == 200)
        }
    }

    @Test(
        "CPO-initiated (C-16) and an update (C-17): the IOP reads our versions with the offered token while it answers; afterwards the offered token is the IOP's way in and the IOP's answer our way out; a PUT rotates both"
    )
    func registrationToTheIOP() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let registration = Self.registration(server)
            let registered = try await registration.register(
                versionsURL: "\(iop.url)/ocpi/emsp/versions",
                token: "a1a1-token-A",
                advertising: "http://127.0.0.1:\(server.port)/ocpi/versions",
                by: "test"
            )
            #expect(registered.initiatedBy == "cpo" && registered.countryCode == "FR" && registered.partyId == "107")
            #expect(try await iop.registrar.callbacks.wait("the IOP's call back") { !$0.isEmpty } == [200])
            let calls = iop.registrar.received.items
            #expect(calls.map(\.path) == ["/ocpi/emsp/versions", "/ocpi/emsp/2.1.1", "/ocpi/emsp/2.1.1/credentials"])
            #expect(calls.allSatisfy { $0.authorization == "Token a1a1-token-A" })
            let offered = try #require(calls.last?.body?["token"]?.stringValue)
            #expect(calls.last?.body?["url"]?.stringValue == "http://127.0.0.1:\(server.port)/ocpi/versions")

            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            #expect(try await server.request(.GET, "/ocpi/cpo/2.1.1/locations", token: offered).httpStatus == 200)
            #expect(try await server.request(.GET, "/ocpi/cpo/2.1.1/locations").httpStatus == 401)
            let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/1")
            #expect(try await server.command("START_SESSION", start, token: offered).result == "ACCEPTED")
            let result = try await iop.requests.wait("the result") { $0.contains { $0.path.hasSuffix("/START_SESSION/1") } }
            #expect(result.first { $0.path.hasSuffix("/START_SESSION/1") }?.authorization == "Token iop-token-C1")

            // C-17: rotation, with the current token; the IOP re-reads our versions with the new one.
            let updated = try await registration.register(
                versionsURL: nil,
                token: nil,
                advertising: "http://127.0.0.1:\(server.port)/ocpi/versions",
                by: "test"
            )
            #expect(updated.reason == "update")
            let put = try #require(iop.registrar.received.items.last)
            #expect(put.method == "PUT" && put.authorization == "Token iop-token-C1")
            let rotated = try #require(put.body?["token"]?.stringValue)
            #expect(rotated != offered)
            #expect(try await server.request(.GET, "/ocpi/versions", token: offered).httpStatus == 401)
            #expect(try await server.request(.GET, "/ocpi/versions", token: rotated).httpStatus == 200)
            let again = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/2")
            _ = try await server.command("START_SESSION", again, token: rotated)
            let second = try await iop.requests.wait("the second result") { $0.contains { $0.path.hasSuffix("/START_SESSION/2") } }
            #expect(second.first { $0.path.hasSuffix("/START_SESSION/2") }?.authorization == "Token iop-token-C2")

            let recorded = try await Self.everythingRecorded(server)
            for secret in ["a1a1-token-A", offered, rotated, "iop-token-C1", "iop-token-C2"] {
                #expect(!recorded.contains(secret), "a token reached the log or the ops API")
            }
        }
    }

    @Test(
        "`ledger register` against a running `ledger serve`: the server lets the IOP in with the offered token mid-handshake and uses the registration at once; no token in its log lines or `ledger events`"
    )
    func registerCommandWhileServing() async throws {
        let iop = try await IOPStandIn()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, port) = try await ServeProcess.start(directory, iop: iop.url)
        defer { server.kill(SIGKILL) }
        let db = directory.path("ledger.sqlite")
        let register = try await TariffCommandTests.ledger([
            "register", "--db", db, "--versions-url", "\(iop.url)/ocpi/emsp/versions", "--token", "a1a1-token-A",
            "--public-url", "http://127.0.0.1:\(port)",
        ])
        #expect(register.status == 0, "\(register.stdout)\(register.stderr)")
        #expect(register.stdout.contains("registered with FR*107 (GIREVE)"))
        #expect(try await iop.registrar.callbacks.wait("the IOP's call back") { !$0.isEmpty } == [200])
        let offered = try #require(iop.registrar.received.items.last?.body?["token"]?.stringValue)
        func get(_ token: String) async throws -> UInt {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/ocpi/cpo/2.1.1/locations")
            request.headers.add(name: "Authorization", value: "Token \(token)")
            return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code
        }
        #expect(try await get(offered) == 200)
        #expect(try await get(ServerHarness.token) == 401)
        let events = try await TariffCommandTests.ledger(["events", "--db", db])
        #expect(events.stdout.contains("IOPRegistered"))
        let logs = server.lines.items.joined(separator: "\n")
        for secret in ["a1a1-token-A", offered, "iop-token-C1"] {
            #expect(!events.stdout.contains(secret) && !logs.contains(secret) && !register.stdout.contains(secret), "a token was printed")
        }
        #expect(FileManager.default.fileExists(atPath: db + ".key"))
        let mode = try FileManager.default.attributesOfItem(atPath: db + ".key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a token is kept as its SHA-256 in lower-case hex: the FIPS 180-2 vector, so ledgers registered before still match")
    func tokenHashSpelling() {
        #expect(SecretBox.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("C-19: a Base64-encoded token on a 2.1.1 link is an unknown token")
    func base64TokenRefused() async throws {
        try await ServerHarness.with { server throws in
            let encoded = Data(ServerHarness.token.utf8).base64EncodedString()
            #expect(try await server.request(.GET, "/ocpi/versions", token: encoded).httpStatus == 401)
            #expect(try await server.request(.GET, "/ocpi/versions").httpStatus == 200)
        }
    }
}
