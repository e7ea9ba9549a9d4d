import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Projections
import Synchronization
import Testing

@testable import API

/// OCPI 2.2.1 beside 2.1.1 on one ledger: discovery, Base64 tokens, commands answered with
/// `timeout` and their `CommandResult`, Sessions and CDRs in 2.2.1 shapes carrying the
/// `authorization_reference`, and every request's ids and routing recorded — with the Python
/// charger and a loopback IOP (spec digest ocpi-2.2.1-deltas.md, vectors V2-/X2-).
@Suite("OCPI 2.2.1 beside 2.1.1", .serialized)
struct OCPI221Tests {
    /// V2-05's authorization reference.
    static let reference = "6b1f0d2e-3c4a-4f5b-9e8d-7a6b5c4d3e2f"
    /// What the IOP sends with a command addressed to this CPO: its ids, from the eMSP, to FR/ABC.
    static let routed = [
        "X-Request-ID": "req-start-0001", "X-Correlation-ID": "corr-start-0001", "OCPI-from-country-code": "NL", "OCPI-from-party-id": "EMS",
        "OCPI-to-country-code": "FR", "OCPI-to-party-id": "ABC",
    ]

    /// A 2.2.1 vector aimed at examples/locations.json (EVSE-0042-01 of LOC-PARIS-0042, CP-0042-A).
    static func command(_ vector: String, responseURL: String, replacing changes: [String: JSONValue?] = [:]) throws -> String {
        var changes = changes
        if changes["location_id"] == nil { changes["location_id"] = .string("LOC-PARIS-0042") }
        if changes["evse_uid"] == nil { changes["evse_uid"] = .string("EVSE-0042-01") }
        return try Requests.vector(vector, responseURL: responseURL, replacing: changes)
    }

    static func headers(_ changes: [String: String?] = [:]) -> [String: String] {
        var headers = routed
        for (name, value) in changes { headers[name] = value }
        return headers
    }

    @Test(
        "V2-01/V2-02: on a 2.2.1 link discovery lists both versions and the 2.2.1 endpoints with roles; either token form is taken there, Base64 only on 2.2.1 modules (X2-21)"
    )
    func discoveryAndTokens() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url, iopVersion: .v221) { server in
            for authorization in [ServerHarness.token, Data(ServerHarness.token.utf8).base64EncodedString()] {
                let (versions, _) = try await server.ocpi221(.GET, "/ocpi/versions", authorization: authorization)
                let expected = try JSONValue(
                    parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/V2-01", withExtension: "json")))
                )
                #expect(versions.httpStatus == 200)
                #expect(versions.envelope?["data"]?.arrayCount == expected["data"]?.arrayCount)
                #expect(versions.envelope?["data"]?.canonicalText.contains("\"version\":\"2.2.1\"") == true)
                #expect(versions.envelope?["data"]?.canonicalText.contains("http://127.0.0.1:\(server.port)/ocpi/2.2.1") == true)
            }
            let (details, _) = try await server.ocpi221(.GET, "/ocpi/2.2.1")
            #expect(details.envelope?["data"]?["version"]?.stringValue == "2.2.1")
            // V2-02 but Tokens (no token pushes are taken), at this server's address.
            let v202 = try JSONValue(parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/V2-02", withExtension: "json"))))
            guard case .array(let listed)? = v202["data"]?["endpoints"] else { throw WaitTimedOut(what: "V2-02's endpoints", items: "") }
            let expected = listed.filter { $0["identifier"]?.stringValue != "tokens" }.map { endpoint -> JSONValue in
                guard case .object(var members) = endpoint else { return endpoint }
                members["url"] = .string("http://127.0.0.1:\(server.port)/ocpi/2.2.1/\(endpoint["identifier"]?.stringValue ?? "")")
                return .object(members)
            }
            #expect(details.envelope?["data"]?["endpoints"] == .array(expected))
            let body = try Self.command("V2-06", responseURL: "https://iop.example.net/ocpi/2.2.1/commands/START_SESSION/1")
            // X2-21: the raw token, and the Base64 of the token plus a newline (the spec's own examples' slip).
            for authorization in [ServerHarness.token, Data((ServerHarness.token + "\n").utf8).base64EncodedString()] {
                let (answer, _) = try await server.ocpi221(
                    .POST,
                    "/ocpi/2.2.1/commands/START_SESSION",
                    body: body,
                    authorization: authorization,
                    headers: Self.headers()
                )
                #expect(answer.httpStatus == 401)
            }
            #expect(try await server.events(CommandReceived.eventType).isEmpty)
        }
    }

    @Test(
        "X2-01…X2-05 and addressing: 2001 for a bad body or no OCPI-to, 2003 with {REJECTED, timeout, message} for an unknown location or another operator — each recorded with its ids"
    )
    func refusals() async throws {
        try await ServerHarness.with { server in
            let url = "https://iop.example.net/ocpi/2.2.1/commands/START_SESSION/"
            let cases: [(String, String, [String: String], Int64)] = [
                ("X2-01", try Requests.vector("X2-01", responseURL: url + "1"), Self.headers(), 2001),
                ("X2-03", try Self.command("X2-03", responseURL: url + "3"), Self.headers(), 2001),
                ("X2-04", try Self.command("X2-04", responseURL: url + "4"), Self.headers(), 2001),
                ("X2-05", try Self.command("X2-05", responseURL: url + "5", replacing: ["response_url": nil]), Self.headers(), 2001),
                ("X2-02", try Requests.vector("X2-02", responseURL: url + "2"), Self.headers(), 2003),
                ("no OCPI-to", try Self.command("V2-05", responseURL: url + "6"), Self.headers(["OCPI-to-party-id": nil]), 2001),
                ("another operator", try Self.command("V2-05", responseURL: url + "7"), Self.headers(["OCPI-to-party-id": "XYZ"]), 2003),
            ]
            for (name, body, headers, code) in cases {
                let (answer, responseHeaders) = try await server.ocpi221(.POST, "/ocpi/2.2.1/commands/START_SESSION", body: body, headers: headers)
                #expect(answer.httpStatus == 200, "\(name)")
                #expect(answer.statusCode == code, "\(name): \(answer.envelope?.canonicalText ?? "")")
                #expect(responseHeaders.first(name: "X-Request-ID") == "req-start-0001", "\(name)")
                if code == 2003 {
                    // V2-10: REJECTED with a timeout and the reason.
                    #expect(answer.result == "REJECTED" && answer.envelope?["data"]?["timeout"]?.int64Value == 0, "\(name)")
                    #expect(answer.envelope?["data"]?["message"]?.canonicalText.contains("\"language\":\"en\"") == true, "\(name)")
                }
            }
            let received = try await server.events(CommandReceived.eventType).compactMap {
                if case .commandReceived(let e) = try EventCatalogue.standard.decode($0) { e } else { nil }
            }
            #expect(received.count == cases.count)
            #expect(received.allSatisfy { $0.ocpiVersion == "2.2.1" && $0.exchange?.requestId == "req-start-0001" && $0.exchange?.from == "NL/EMS" })
            #expect(received.last?.exchange?.to == "FR/XYZ")
            // X2-04's 37-character reference is kept as evidence though refused.
            #expect(received[2].authorizationId == Self.reference + "X")
            let answered = try await server.events(CommandAnswered.eventType).compactMap {
                if case .commandAnswered(let e) = try EventCatalogue.standard.decode($0) { e } else { nil }
            }
            #expect(answered.map(\.statusCode) == cases.map { Int($0.3) })

            // A valid StartSession for a charger that is not connected: REJECTED, saying why; and
            // one without X-Request-ID is answered all the same, with a warning recorded.
            let (rejected, _) = try await server.ocpi221(
                .POST,
                "/ocpi/2.2.1/commands/START_SESSION",
                body: try Self.command("V2-06", responseURL: url + "8"),
                headers: Self.headers(["X-Request-ID": nil])
            )
            #expect(
                rejected.envelope?["data"]
                    == .object([
                        "result": .string("REJECTED"), "timeout": .number("0"),
                        "message": CommandAnswers221.displayText("The charge point is not connected."),
                    ])
            )
            let warning = try #require(try await server.events(CommandWarning.eventType).last)
            #expect(warning.data.value["warning"]?.stringValue == "the OCPI 2.2.1 request carried no X-Request-ID")
        }
    }

    @Test(
        "remote start over 2.2.1 → CommandResponse with timeout → CommandResult → Session PUT, PATCH, final PUT and CDR in 2.2.1 shapes with the authorization_reference, ids and routing; a 2.1.1 command beside it; one audit",
        arguments: StoreKind.available
    )
    func endToEnd(kind: StoreKind) async throws {
        typealias Charge = TariffPricingTests.Charge
        let iop = try await IOPStandIn()
        try await ServerHarness.with(
            kind,
            iop: iop.url,
            tariffs: try TariffCatalog(contentsOf: ServerHarness.examplesTariffs),
            clock: ManualClock(Charge.utc("21:00")),
            iopVersion: .v221
        ) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let charge = Charge(server: server, charger: charger)
            server.clock.set(Charge.utc("21:30").adding(milliseconds: -10_000))
            let start = try Self.command("V2-05", responseURL: "\(iop.url)/ocpi/2.2.1/commands/START_SESSION/1")
            let (answer, headers) = try await server.ocpi221(.POST, "/ocpi/2.2.1/commands/START_SESSION", body: start, headers: Self.headers())
            // V2-07; never 2.1.1's bare {result} nor its TIMEOUT (X2-06).
            #expect(answer.envelope?["data"] == .object(["result": .string("ACCEPTED"), "timeout": .number("30")]))
            #expect(headers.first(name: "X-Request-ID") == "req-start-0001" && headers.first(name: "X-Correlation-ID") == "corr-start-0001")
            #expect(headers.first(name: "OCPI-from-party-id") == "ABC" && headers.first(name: "OCPI-to-country-code") == "NL")
            let result = try await iop.requests.wait("the CommandResult") { $0.contains { $0.path.hasSuffix("/START_SESSION/1") } }
                .first { $0.path.hasSuffix("/START_SESSION/1") }
            // V2-08, addressed to the IOP under the StartSession's correlation id.
            #expect(result?.body == (try OCPI221ObjectsTests.vector("V2-08")))
            #expect(result?.authorization == "Token \(Data(ServerHarness.iopToken.utf8).base64EncodedString())")
            #expect(result?.ocpiHeaders["X-Correlation-ID"] == "corr-start-0001")
            #expect(result?.ocpiHeaders["OCPI-from-party-id"] == "ABC" && result?.ocpiHeaders["OCPI-to-party-id"] == "107")
            #expect(result?.ocpiHeaders["X-Request-ID"].map { !$0.isEmpty && $0 != "req-start-0001" } == true)

            // The token's 36-character uid does not fit OCPP 1.6's idTag: the charger got a 20-character one.
            let call = try await charger.waitFor("RemoteStartTransaction") { $0["action"]?.stringValue == "RemoteStartTransaction" }
            let idTag = try #require(call["payload"]?["idTag"]?.stringValue)
            #expect(idTag.count == 20 && idTag.hasPrefix("H"))
            // The charger authorizes the remote start's tag: the StartSession stands for it (the
            // 15-minute rule), the IOP is not asked.
            charger.send(#"{"send":"Authorize","id_tag":"\#(idTag)"}"#)
            let authorized = try await charger.waitFor("Authorize answered") {
                $0["action"]?.stringValue == "Authorize" && $0["event"]?.stringValue == "result"
            }
            #expect(authorized["payload"]?["idTagInfo"]?["status"]?.stringValue == "Accepted")
            let decided = try await server.waitForEvent("AuthorizationDecided")
            #expect(decided.data.value["decided_by"]?.stringValue?.hasPrefix("command:") == true)
            #expect(decided.data.value["authorization_id"]?.stringValue == Self.reference)
            #expect(!iop.requests.items.contains { $0.path.contains("/tokens/") })
            try await charge.at("21:30") {
                #"{"send":"StartTransaction","connector":1,"id_tag":"\#(idTag)","meter_start":0,"timestamp":"\#($0)"}"#
            }
            let transactionId = try #require(try await charge.answered("StartTransaction")["transaction_id"]?.int64Value)
            try await charge.at("21:45") {
                #"{"send":"MeterValues","connector":1,"transaction_id":\#(transactionId),"value":2000,"timestamp":"\#($0)"}"#
            }
            try await charge.answered("MeterValues")
            let stop = try Requests.vector(
                "V2-11",
                responseURL: "\(iop.url)/ocpi/2.2.1/commands/STOP_SESSION/1",
                replacing: ["session_id": .string(String(transactionId))]
            )
            let (stopped, _) = try await server.ocpi221(
                .POST,
                "/ocpi/2.2.1/commands/STOP_SESSION",
                body: stop,
                headers: Self.headers(["X-Request-ID": "req-stop-0001"])
            )
            #expect(stopped.result == "ACCEPTED" && stopped.envelope?["data"]?["timeout"]?.int64Value == 30)
            try await charger.waitFor("RemoteStopTransaction") { $0["action"]?.stringValue == "RemoteStopTransaction" }
            try await charge.at("22:15") { #"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":5000,"timestamp":"\#($0)"}"# }
            try await charge.answered("StopTransaction")

            let sessionPath = "/ocpi/2.2.1/sessions/FR/ABC/\(transactionId)"
            let pushes = try await iop.requests.wait("the Session PUT, PATCH, final PUT and the CDR") {
                $0.contains { $0.path == "/ocpi/2.2.1/cdrs" }
            }
            .filter { $0.path == sessionPath || $0.path == "/ocpi/2.2.1/cdrs" }
            #expect(pushes.map(\.method) == ["PUT", "PATCH", "PUT", "POST"])
            let (put, patch, final, cdr) = (
                try #require(pushes[0].body), try #require(pushes[1].body), try #require(pushes[2].body), try #require(pushes[3].body)
            )
            // What a schema check misses, checked on everything the IOP received (X2-08…X2-18).
            #expect(OCPI221Checks.session(put, owner: "FR/ABC") == [] && OCPI221Checks.session(patch, patch: true) == [])
            #expect(OCPI221Checks.session(final, owner: "FR/ABC") == [] && OCPI221Checks.cdr(cdr) == [])
            // V2-12's members (no start fee: total_cost is left out until there is a reading to price).
            let v212 = try JSONValue(parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/V2-12", withExtension: "json"))))
            #expect(put.keys == v212.keys.subtracting(["total_cost"]).union(["charging_periods"]))
            #expect(put["cdr_token"] == v212["cdr_token"])
            #expect(put["authorization_reference"]?.stringValue == Self.reference && put["auth_method"]?.stringValue == "COMMAND")
            #expect(put["connector_id"]?.stringValue == "1" && put["status"]?.stringValue == "ACTIVE")
            #expect(pushes[0].ocpiHeaders["X-Correlation-ID"] == "corr-start-0001" && pushes[0].ocpiHeaders["OCPI-to-party-id"] == "107")
            // A 2.2.1 PATCH carries last_updated and no periods (they would be appended: V2-13, X2-10).
            #expect(patch.keys == ["kwh", "total_cost", "last_updated"] && patch["total_cost"] == .object(["excl_vat": .number("0.80")]))
            // V2-14's members: the completed Session as a whole PUT.
            let v214 = try JSONValue(parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/V2-14", withExtension: "json"))))
            #expect(final.keys == v214.keys)
            #expect(final["status"]?.stringValue == "COMPLETED" && final["end_date_time"]?.stringValue == Charge.utc("22:15").ocpiDateTime)
            #expect(final["charging_periods"]?.canonicalText.contains("\"tariff_id\":\"TARIFF-AC-22\"") == true)
            let v215 = try JSONValue(parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/V2-15", withExtension: "json"))))
            // V2-15's members but the costs of dimensions this tariff does not price (FLAT, PARKING_TIME at night).
            #expect(cdr.keys == v215.keys.subtracting(["total_fixed_cost", "total_parking_cost"]))
            #expect(cdr["session_id"]?.stringValue == String(transactionId) && cdr["authorization_reference"]?.stringValue == Self.reference)
            #expect(cdr["cdr_location"]?["evse_uid"]?.stringValue == "EVSE-0042-01" && cdr["cdr_location"]?["connector_id"]?.stringValue == "1")
            // examples/tariffs.json: 2 kWh by 21:45 and half of the 3 kWh read by 22:15 at 0.40 before
            // 22:00 (1.40), the other 1.5 kWh at 0.30 (0.45).
            #expect(cdr["total_cost"] == .object(["excl_vat": .number("1.85")]))
            #expect(cdr["total_energy_cost"] == .object(["excl_vat": .number("1.85")]))
            #expect(cdr["tariffs"]?.canonicalText.contains("\"country_code\":\"FR\"") == true)

            // Evidence: each attempt's X-Request-ID is the one the IOP saw.
            let cdrAttempt = try await server.waitForEvent(DeliveryAttempted.eventType) {
                $0.data.value["delivery_id"]?.stringValue == "cdr-CDR-\(transactionId)"
            }
            #expect(cdrAttempt.data.value["request_id"]?.stringValue == pushes[3].ocpiHeaders["X-Request-ID"])
            // Searchable by request id, both ways (`ledger audit --request-id`).
            #expect(try await Projections.Audit.authorizationIds(requestId: "req-start-0001", store: server.store) == [Self.reference])
            let sent = try #require(pushes[3].ocpiHeaders["X-Request-ID"])
            #expect(try await Projections.Audit.authorizationIds(requestId: sent, store: server.store) == [Self.reference])
            #expect(try await Projections.Audit.authorizationIds(requestId: "no-such-request", store: server.store) == nil)
            // The ops page finds it too, and its timeline shows the ids.
            let basic = "Basic \(Data("ops:\(ServerHarness.opsToken)".utf8).base64EncodedString())"
            let found = try await server.ops("/ops/search?q=req-start-0001", authorization: basic)
            #expect(found.status == 200 && found.text.contains(Self.reference), "\(found.text)")
            let timeline = try await server.ops("/ops/timeline?authorization_id=\(Self.reference)", authorization: basic)
            #expect(timeline.text.contains("X-Request-ID req-start-0001") && timeline.text.contains("OCPI 2.2.1"))
            if kind == .sqlite {
                let audit = try await TariffCommandTests.ledger([
                    "audit", "--request-id", "req-start-0001", "--db", server.directory.path("ledger.sqlite"),
                ])
                #expect(
                    audit.status == 0 && audit.stdout.contains(Self.reference) && audit.stdout.contains("X-Request-ID req-start-0001"),
                    "\(audit.stdout)\(audit.stderr)"
                )
                let unknown = try await TariffCommandTests.ledger([
                    "audit", "--request-id", "no-such-request", "--db", server.directory.path("ledger.sqlite"),
                ])
                #expect(unknown.status == 1 && unknown.stderr.contains("no OCPI request with X-Request-ID no-such-request"), "\(unknown.stderr)")
            }

            // The IOP's pulls in 2.2.1 shapes, answered with its ids and the routing swapped.
            let (sessions, pullHeaders) = try await server.ocpi221(
                .GET,
                "/ocpi/2.2.1/sessions?date_from=2024-01-01T00:00:00Z",
                headers: Self.headers(["X-Request-ID": "req-pull-1", "OCPI-from-party-id": "107", "OCPI-from-country-code": "FR"])
            )
            #expect(pullHeaders.first(name: "X-Request-ID") == "req-pull-1" && pullHeaders.first(name: "OCPI-to-party-id") == "107")
            #expect(sessions.envelope?["data"]?.canonicalText.contains("\"cdr_token\"") == true)
            let (pulledCdrs, _) = try await server.ocpi221(.GET, "/ocpi/2.2.1/cdrs", headers: Self.headers())
            if case .array(let items)? = pulledCdrs.envelope?["data"], var pulled = items.first?.objectMembers, var pushed = cdr.objectMembers {
                pulled["last_updated"] = nil
                pushed["last_updated"] = nil
                #expect(pulled == pushed)
            } else {
                Issue.record("no CDR pulled: \(pulledCdrs.envelope?.canonicalText ?? "")")
            }
            let (locations, _) = try await server.ocpi221(.GET, "/ocpi/2.2.1/locations", headers: Self.headers())
            #expect(locations.envelope?["data"]?.canonicalText.contains("\"tariff_ids\":[\"TARIFF-AC-22\"]") == true)
            let location = try #require(locations.envelope?["data"].flatMap { if case .array(let all) = $0 { all.first } else { nil } })
            #expect(location["country_code"]?.stringValue == "FR" && location["publish"] == .bool(true) && location["type"] == nil)
            let (missing, missingHeaders) = try await server.ocpi221(.GET, "/ocpi/2.2.1/locations/NOPE", headers: Self.headers())
            #expect(missing.httpStatus == 404 && missingHeaders.first(name: "X-Request-ID") == "req-start-0001")

            // A 2.1.1 command beside it, answered and resulted in 2.1.1.
            let old = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/2")
            let answer211 = try await server.command("START_SESSION", old)
            #expect(answer211.envelope?["data"] == .object(["result": .string("ACCEPTED")]))
            let result211 = try await iop.requests.wait("the 2.1.1 result") { $0.contains { $0.path.hasSuffix("/START_SESSION/2") } }
                .first { $0.path.hasSuffix("/START_SESSION/2") }
            #expect(result211?.body == .object(["result": .string("ACCEPTED")]))
            #expect(result211?.authorization == "Token \(ServerHarness.iopToken)" && result211?.ocpiHeaders.isEmpty == true)

            // One audit finds both authorizations, whichever field named them.
            let report = try #require(try await Projections.Audit.report(authorizationId: Self.reference, store: server.store))
            #expect(report.text.contains("authorization_reference \(Self.reference), OCPI 2.2.1, X-Request-ID req-start-0001"))
            #expect(report.text.contains("CDR-\(transactionId)"))
            #expect(try await Projections.Audit.report(authorizationId: SessionFlowTests.authorization, store: server.store) != nil)
        }
    }
}

extension JSONValue {
    var objectMembers: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// An object's member names (empty for anything else).
    var keys: Set<String> {
        guard case .object(let members) = self else { return [] }
        return Set(members.keys)
    }

    var arrayCount: Int? {
        guard case .array(let items) = self else { return nil }
        return items.count
    }
}

/// Gireve's 2.2.1 registration: the IOP registers with an invitation for 2.2.1 ("Register
/// FromIOP", spec digest §4.4), and the connection then speaks 2.2.1.
@Suite("OCPI 2.2.1 credentials", .serialized)
struct OCPI221CredentialsTests {
    static func encoded(_ token: String) -> String { Data(token.utf8).base64EncodedString() }

    @Test(
        "V2-03/V2-04: the IOP registers over 2.2.1 with a 2.2.1 invitation, its endpoints read by role with its Base64 token; X2-19 refused with 2001, X2-20 with 405; token A dead; pushes go in 2.2.1"
    )
    func registersOver221() async throws {
        let iop = try await IOPStandIn()
        iop.registrar.versions.withLock { $0 = ["2.1.1", "2.2.1"] }
        try await ServerHarness.with { server in
            let tokenA = try await Registration.invite(on: server.store, by: "test", version: .v221)
            let (versions, _) = try await server.ocpi221(.GET, "/ocpi/versions", authorization: Self.encoded(tokenA))
            #expect(
                versions.envelope?["data"]
                    == .array([.object(["version": .string("2.2.1"), "url": .string("http://127.0.0.1:\(server.port)/ocpi/2.2.1")])])
            )
            // Invited for 2.2.1: the 2.1.1 credentials module is closed to it.
            #expect(try await server.request(.POST, "/ocpi/2.1.1/credentials", body: "{}", token: tokenA).httpStatus == 401)

            let versionsURL = "\(iop.url)/ocpi/emsp/versions"
            let flat = try Requests.vector("X2-19", replacing: ["url": .string(versionsURL)])
            let (x219, _) = try await server.ocpi221(.POST, "/ocpi/2.2.1/credentials", body: flat, authorization: Self.encoded(tokenA))
            #expect(x219.httpStatus == 200 && x219.statusCode == 2001)
            #expect(try await server.events(IOPRegistered.eventType).isEmpty)

            let v203 = try Requests.vector("V2-03", replacing: ["url": .string(versionsURL)])
            let (registered, _) = try await server.ocpi221(.POST, "/ocpi/2.2.1/credentials", body: v203, authorization: Self.encoded(tokenA))
            #expect(registered.statusCode == 1000, "\(registered.envelope?.canonicalText ?? "")")
            let ours = try #require(registered.envelope?["data"])
            // V2-04's shape: our token, our versions URL, one CPO role (V2-04's first, with our name).
            let v204 = try OCPI221ObjectsTests.vector("V2-04")
            #expect(ours.keys == v204["data"]?.keys)
            guard case .array(let v204Roles)? = v204["data"]?["roles"], case .object(var firstRole)? = v204Roles.first else {
                throw WaitTimedOut(what: "V2-04's roles", items: "")
            }
            firstRole["business_details"] = .object(["name": .string("chargeledger CPO")])
            #expect(ours["roles"] == .array([.object(firstRole)]))
            let tokenC = try #require(ours["token"]?.stringValue)
            #expect(ours["url"]?.stringValue == "http://127.0.0.1:\(server.port)/ocpi/versions" && tokenC != tokenA)
            // The IOP's versions and 2.2.1 details were read with token B, Base64-encoded.
            let handshake = try await iop.registrar.received.wait("the IOP's versions and details read") { $0.count >= 2 }
            #expect(handshake.map(\.path) == ["/ocpi/emsp/versions", "/ocpi/emsp/2.2.1"])
            #expect(handshake.allSatisfy { $0.authorization == "Token \(Self.encoded("iop-b-4c8e1f0a6d2b9e73"))" })
            let event = try #require(try await server.events(IOPRegistered.eventType).first)
            #expect(event.data.value["version"]?.stringValue == "2.2.1")
            let endpoints = event.data.value["endpoints"]?.canonicalText ?? ""
            #expect(endpoints.contains("\(iop.url)/ocpi/emsp/2.2.1/sessions") && !endpoints.contains("hub-sender/2.2.1/sessions"))

            // X2-20: a second POST, with token A (spent) or C (registered), is 405 / 401.
            let (again, _) = try await server.ocpi221(.POST, "/ocpi/2.2.1/credentials", body: v203, authorization: Self.encoded(tokenC))
            #expect(again.httpStatus == 405)
            #expect(try await server.ocpi221(.GET, "/ocpi/versions", authorization: Self.encoded(tokenA)).answer.httpStatus == 401)
            let (both, _) = try await server.ocpi221(.GET, "/ocpi/versions", authorization: Self.encoded(tokenC))
            #expect(both.envelope?["data"]?.arrayCount == 2)
            let (credentials, _) = try await server.ocpi221(.GET, "/ocpi/2.2.1/credentials", authorization: Self.encoded(tokenC))
            #expect(credentials.envelope?["data"]?["token"]?.stringValue == tokenC && credentials.envelope?["data"]?["roles"] != nil)

            // The connection speaks 2.2.1: a command's result goes with token B encoded, to the IOP's party.
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let start = try OCPI221Tests.command("V2-06", responseURL: "\(iop.url)/ocpi/2.2.1/commands/START_SESSION/9")
            let (answer, _) = try await server.ocpi221(
                .POST,
                "/ocpi/2.2.1/commands/START_SESSION",
                body: start,
                authorization: Self.encoded(tokenC),
                headers: OCPI221Tests.headers()
            )
            #expect(answer.result == "ACCEPTED")
            let result = try await iop.requests.wait("the CommandResult") { $0.contains { $0.path.hasSuffix("/START_SESSION/9") } }
                .first { $0.path.hasSuffix("/START_SESSION/9") }
            #expect(result?.authorization == "Token \(Self.encoded("iop-b-4c8e1f0a6d2b9e73"))")
            #expect(result?.ocpiHeaders["OCPI-to-party-id"] == "107" && result?.body?["result"]?.stringValue == "ACCEPTED")

            // The IOP unregisters: a push then waits, and its attempts name no request id (none left).
            let (deleted, _) = try await server.ocpi221(.DELETE, "/ocpi/2.2.1/credentials", authorization: Self.encoded(tokenC))
            #expect(deleted.statusCode == 1000)
            charger.send(#"{"send":"StatusNotification","connector":1,"status":"Unavailable"}"#)
            let waiting = try await server.waitForEvent(DeliveryAttempted.eventType) {
                $0.data.value["error"]?.stringValue?.contains("unregistered") == true
            }
            #expect(waiting.data.value["request_id"] == nil)
        }
    }
}

extension OCPI221CredentialsTests {
    @Test(
        "Register ToIOP on 2.2.1: the IOP's 2.2.1 endpoints read with its Base64 TOKEN_A, our credentials POSTed with a CPO role; the IOP reads our 2.2.1 discovery with the offered token; its HUB role kept"
    )
    func registersWithTheIOPOver221() async throws {
        let iop = try await IOPStandIn()
        iop.registrar.versions.withLock { $0 = ["2.1.1", "2.2.1"] }
        try await ServerHarness.with { server in
            let registration = Registration(
                store: server.store,
                exchange: CredentialsExchange(client: server.client),
                secrets: try SecretBox(base64: ServerHarness.secretKey),
                party: CPOParty()
            )
            let registered = try await registration.register(
                versionsURL: "\(iop.url)/ocpi/emsp/versions",
                token: "a1a1-token-A",
                advertising: "http://127.0.0.1:\(server.port)/ocpi/versions",
                version: .v221,
                by: "test"
            )
            #expect(registered.version == "2.2.1" && registered.countryCode == "FR" && registered.partyId == "107")
            #expect(try await iop.registrar.callbacks.wait("the IOP's call back") { !$0.isEmpty } == [200])
            let calls = iop.registrar.received.items
            #expect(calls.map(\.path) == ["/ocpi/emsp/versions", "/ocpi/emsp/2.2.1", "/ocpi/emsp/2.2.1/credentials"])
            #expect(calls.allSatisfy { $0.authorization == "Token \(Self.encoded("a1a1-token-A"))" })
            #expect(calls.last?.body?["roles"]?.canonicalText.contains("\"role\":\"CPO\"") == true)
            let offered = try #require(calls.last?.body?["token"]?.stringValue)
            let (both, _) = try await server.ocpi221(.GET, "/ocpi/versions", authorization: Self.encoded(offered))
            #expect(both.envelope?["data"]?.arrayCount == 2)
        }
    }
}

/// A local swipe on a 2.2.1 link: the IOP's AuthorizationInfo gives the session its token and
/// authorization reference (V2-16); one without its `token` is no usable answer (X2-22).
@Suite("OCPI 2.2.1 real-time authorization", .serialized)
struct OCPI221AuthorizationTests {
    static let uid = "04A2B3C4D5E6F7"

    func swipe(answering vector: String, _ check: (ServerHarness, IOPStandIn, ChargerSimulator, String?) async throws -> Void) async throws {
        let iop = try await IOPStandIn()
        let answer = try String(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/\(vector)", withExtension: "json")), encoding: .utf8)
        iop.answer { _, path in path.contains("/tokens/") ? .envelope(answer) : nil }
        try await ServerHarness.with(iop: iop.url, iopVersion: .v221) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            charger.send(#"{"send":"Authorize","id_tag":"\#(Self.uid)"}"#)
            let authorized = try await charger.waitFor("Authorize answered") {
                $0["action"]?.stringValue == "Authorize" && $0["event"]?.stringValue == "result"
            }
            try await check(server, iop, charger, authorized["payload"]?["idTagInfo"]?["status"]?.stringValue)
        }
    }

    @Test("V2-16: the swipe asked with the Base64 token, ids and routing; the session carries the answer's token and authorization_reference")
    func swipeThenCharge() async throws {
        try await swipe(answering: "V2-16-resp") { server, iop, charger, status in
            #expect(status == "Accepted")
            let asked = try #require(iop.requests.items.first { $0.path.contains("/tokens/") })
            #expect(asked.path == "/ocpi/2.2.1/tokens/\(Self.uid)/authorize")
            #expect(asked.body == (try OCPI221ObjectsTests.vector("V2-16-req")).withLocation("LOC-PARIS-0042", evse: "EVSE-0042-01"))
            #expect(asked.authorization == "Token \(Data(ServerHarness.iopToken.utf8).base64EncodedString())")
            #expect(asked.ocpiHeaders["OCPI-to-party-id"] == "107" && asked.ocpiHeaders["X-Request-ID"] != nil)
            charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"\#(Self.uid)","meter_start":100}"#)
            let started = try await charger.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            let transactionId = try #require(started["transaction_id"]?.int64Value)
            let put = try await iop.requests.wait("the Session PUT") { $0.contains { $0.path.hasSuffix("/sessions/FR/ABC/\(transactionId)") } }
                .first { $0.path.hasSuffix("/sessions/FR/ABC/\(transactionId)") }?.body
            #expect(put?["authorization_reference"]?.stringValue == "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a")
            #expect(put?["auth_method"]?.stringValue == "AUTH_REQUEST")
            #expect(
                put?["cdr_token"]
                    == .object([
                        "country_code": .string("NL"), "party_id": .string("EMS"), "uid": .string(Self.uid), "type": .string("RFID"),
                        "contract_id": .string("NL-EMS-C87654321-X"),
                    ])
            )
        }
    }

    @Test("X2-22: an AuthorizationInfo without its token is no answer: the fallback (reject) decides, recorded as such")
    func answerWithoutToken() async throws {
        try await swipe(answering: "X2-22") { server, _, _, status in
            #expect(status == "Invalid")
            let decided = try #require(try await server.events("AuthorizationDecided").first?.data.value)
            #expect(decided["decided_by"]?.stringValue == "fallback" && decided["allowed"]?.stringValue == "NOT_ALLOWED")
        }
    }
}

extension JSONValue {
    /// A LocationReferences vector pointed at examples/locations.json.
    func withLocation(_ location: String, evse: String) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members["location_id"] = .string(location)
        members["evse_uids"] = .array([.string(evse)])
        return .object(members)
    }
}
