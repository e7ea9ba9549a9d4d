import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Projections
import Testing

/// The read-only ops API over a real server, loaded with Gireve's "2 authorizations, 3 CDRs"
/// dispute (the golden log, imported through the store like any other log).
@Suite("Ops API", .serialized)
struct OpsAPITests {
    static let a = "d1a0b2c3-0000-4aaa-8000-00000000000a"
    static let b = "d1a0b2c3-0000-4bbb-8000-00000000000b"
    static let disputeLog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "ProjectionsTests/Golden/dispute_two_authorizations_three_cdrs.ndjson")

    func withDispute(
        opsToken: String? = ServerHarness.opsToken,
        on kind: StoreKind = .sqlite,
        _ body: (ServerHarness) async throws -> Void
    ) async throws {
        try await ServerHarness.with(kind, opsToken: opsToken) { server in
            _ = try await LogImport.run(contentsOf: Self.disputeLog, into: server.store)
            try await body(server)
        }
    }

    static let routes = [
        "/ops/authorizations/\(a)", "/ops/sessions/SES-5", "/ops/commands/x", "/ops/cdrs/CDR-5",
        "/ops/anomalies", "/ops/sessions", "/ops/events?after=0",
    ]

    @Test("every ops route refuses a missing, wrong or non-bearer token with 401 and says what to send")
    func refusesStrangers() async throws {
        try await withDispute { server in
            for route in Self.routes {
                for authorization in [nil, "Bearer wrong-token", "Token \(ServerHarness.opsToken)", "Bearer \(ServerHarness.opsToken)x"] {
                    let answer = try await server.ops(route, authorization: authorization)
                    #expect(answer.status == 401, "\(route) with \(authorization ?? "nothing")")
                    #expect(answer.headers["WWW-Authenticate"].first == "Bearer")
                    #expect(try JSONValue(parsing: answer.text)["error"]?.stringValue?.contains("Bearer") == true)
                }
            }
        }
    }

    @Test("without --ops-token the ops routes are disabled and say so")
    func disabledWithoutToken() async throws {
        try await withDispute(opsToken: nil) { server in
            for route in Self.routes {
                let answer = try await server.ops(route)
                #expect(answer.status == 404)
                #expect(answer.text.contains("--ops-token"))
            }
        }
    }

    @Test(
        "an authorization's timeline is what `ledger audit --json` prints; an unknown one is a 404 with an error body",
        arguments: StoreKind.available
    )
    func authorizationTimeline(kind: StoreKind) async throws {
        try await withDispute(on: kind) { server in
            let answer = try await server.ops("/ops/authorizations/\(Self.a)")
            #expect(answer.status == 200)
            let report = try #require(try await Projections.Audit.report(authorizationId: Self.a, store: server.store))
            #expect(answer.text == (try AuditJSON.encode(report)))
            let unknown = try await server.ops("/ops/authorizations/never-seen")
            #expect(unknown.status == 404)
            #expect(try JSONValue(parsing: unknown.text)["error"]?.stringValue == "no event carries authorization_id never-seen")
        }
    }

    /// Ids are opaque: one with a space or `<` must be reachable, sent percent-encoded as a client must.
    @Test("an authorization_id with a space and a '<' is reached by its percent-encoded path")
    func percentEncodedId() async throws {
        try await ServerHarness.with { server in
            let odd = "auth <42> id"
            let start = try Requests.vector("G-01", responseURL: "http://127.0.0.1:9/r", replacing: ["authorization_id": .string(odd)])
            #expect(try await server.command("START_SESSION", start).statusCode == 1000)
            let answer = try await server.ops("/ops/authorizations/auth%20%3C42%3E%20id")
            #expect(answer.status == 200, "\(answer.text)")
            #expect(try JSONValue(parsing: answer.text)["authorization_id"]?.stringValue == odd, "\(answer.text)")
        }
    }

    @Test(
        "a session, command or CDR comes with its anomalies; an unknown id is a 404",
        arguments: [
            ("sessions", "SES-5", "state.id", ["authorization_mismatch", "session_with_several_cdrs", "several_authorizations_for_session"]),
            ("commands", "cmd-dispute-b", "state.command_id", []),
            ("cdrs", "CDR-5b", "state.cdr.cdr_id", []),
        ]
    )
    func entities(table: String, id: String, idField: String, anomalies expected: [String]) async throws {
        try await withDispute { server in
            let answer = try await server.ops("/ops/\(table)/\(id)")
            #expect(answer.status == 200, "\(answer.text)")
            let document = try JSONValue(parsing: answer.text)
            let stored = idField.split(separator: ".").dropFirst().reduce(document["state"]) { $0?[String($1)] }
            #expect(stored?.stringValue == id)
            guard case .array(let anomalies)? = document["anomalies"] else {
                Issue.record("no anomalies array")
                return
            }
            #expect(anomalies.compactMap { $0["kind"]?.stringValue } == expected, "\(answer.text)")
            for unknown in ["sessions/SES-404", "commands/cmd-404", "cdrs/CDR-404"] {
                let missing = try await server.ops("/ops/\(unknown)")
                #expect(missing.status == 404)
                #expect(try JSONValue(parsing: missing.text)["error"] != nil)
            }
        }
    }

    @Test("the anomaly list filters by kind, authorization and since (a position or a time); bad filters and paging are 400s")
    func anomalyList() async throws {
        try await withDispute { server in
            let all = try JSONValue(parsing: try await server.ops("/ops/anomalies").text)
            let several = try JSONValue(parsing: try await server.ops("/ops/anomalies?kind=session_with_several_cdrs").text)
            guard case .array(let every)? = all["anomalies"], case .array(let filtered)? = several["anomalies"] else {
                Issue.record("no anomalies array")
                return
            }
            #expect(!filtered.isEmpty && filtered.count < every.count)
            #expect(filtered.allSatisfy { $0["kind"]?.stringValue == "session_with_several_cdrs" })
            #expect(several["total"]?.int64Value == Int64(filtered.count))
            // `since`: a position (the flags whose subject changed after it) or a UTC time.
            func count(_ query: String) async throws -> Int64? {
                try JSONValue(parsing: try await server.ops("/ops/anomalies?\(query)").text)["total"]?.int64Value
            }
            let positions = every.compactMap { $0["position"]?.int64Value }
            #expect(positions.count == every.count)
            let latest = try #require(positions.max())
            #expect(try await count("since=0") == Int64(every.count))
            #expect(try await count("since=\(latest)") == 0)
            #expect(try await count("since=\(latest - 1)") == Int64(positions.filter { $0 > latest - 1 }.count))
            #expect(try await count("since=1970-01-01T00:00:00Z") == Int64(every.count))
            #expect(try await count("since=2099-01-01T00:00:00Z") == 0)
            for bad in ["kind=bogus", "limit=0", "limit=100000", "offset=-1", "limit=ten", "since=yesterday", "since=-4"] {
                #expect(try await server.ops("/ops/anomalies?\(bad)").status == 400, "\(bad)")
            }
        }
    }

    @Test(
        "sessions are searched by token, EVSE, charge point and start time, and a page does not shift while sessions are added",
        arguments: StoreKind.available
    )
    func sessionSearch(kind: StoreKind) async throws {
        try await withDispute(on: kind) { server in
            func ids(_ query: String) async throws -> [String] {
                let document = try JSONValue(parsing: try await server.ops("/ops/sessions?\(query)").text)
                guard case .array(let sessions)? = document["sessions"] else { return [] }
                return sessions.compactMap { $0["id"]?.stringValue }
            }
            #expect(try await ids("token_uid=APP-7Q2M4K9X") == ["SES-5", "SES-6"])
            #expect(try await ids("token_uid=NOBODY").isEmpty)
            #expect(try await ids("charge_point_id=CP-0042&evse_uid=EVSE-0042-01").count == 2)
            #expect(try await ids("from=2099-01-01T00:00:00Z").isEmpty)
            #expect(try await server.ops("/ops/sessions?from=yesterday").status == 400)

            // Page one session at a time while new sessions are recorded: the pages still walk the
            // original sessions in order, each once.
            let writer = Task {
                for index in 0..<20 {
                    let started = SessionStarted(
                        sessionId: "\(900 + index)",
                        chargePointId: "CP-0042",
                        connectorId: 1,
                        transactionId: TransactionId(ocpp16: 900 + index),
                        idTag: "APP-7Q2M4K9X",
                        locationId: "LOC-PARIS-0042",
                        evseUid: "EVSE-0042-01",
                        authId: "FR*XYZ*C0012345*6",
                        authMethod: "AUTH_REQUEST",
                        startedAt: server.clock.now(),
                        meterStartWh: 0,
                        currency: "EUR"
                    )
                    _ = try await server.store.append(
                        [try EventCoding.newEvent(started, metadata: EventMetadata(source: "test"))],
                        to: "session-\(900 + index)",
                        expectedVersion: .noStream
                    )
                }
            }
            var walked: [String] = []
            for offset in 0..<2 { walked += try await ids("token_uid=APP-7Q2M4K9X&limit=1&offset=\(offset)") }
            try await writer.value
            #expect(walked == ["SES-5", "SES-6"])
        }
    }

    @Test("the log as NDJSON, resumable by position, as `ledger events` prints it")
    func eventFeed() async throws {
        try await withDispute { server in
            let first = try await server.ops("/ops/events?after=0&limit=5")
            #expect(first.status == 200)
            #expect(first.headers["Content-Type"].first == "application/x-ndjson")
            let lines = first.text.split(separator: "\n").map(String.init)
            let expected = try await server.store.readAll(after: 0, limit: 5).map(EventLine.encode)
            #expect(lines == expected)
            let next = try await server.ops("/ops/events?after=5&limit=1000").text.split(separator: "\n")
            let total = try await server.store.readAll(after: 0, limit: .max).count
            #expect(next.count == total - 5)
            #expect(try await server.ops("/ops/events?after=-3").status == 400)
        }
    }
}
