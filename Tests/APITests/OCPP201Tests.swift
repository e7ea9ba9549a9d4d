import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// OCPP 2.0.1 stations beside 1.6J chargers, with the Python `ocpp` package's v201 ChargePoint
/// as the station and the spec digest's vectors (ocpp-2.0.1-subset.md §6) as its frames.
@Suite("OCPP 2.0.1 stations", .serialized)
struct OCPP201Tests {
    static let authorization = "AUTHREF-7F3C-2025"

    /// A server on the vectors' clock with the digest's station wired in, and that station connected.
    func withStation<T>(
        _ kind: StoreKind = .sqlite,
        iop: IOPStandIn? = nil,
        mode: String = "accept",
        _ body: (ServerHarness, ChargerSimulator) async throws -> T
    ) async throws -> T {
        try await ServerHarness.with(kind, iop: iop?.url, locations: try Station201.locations(), clock: ManualClock(Station201.vectorTime)) {
            server in
            let station = try await ChargerSimulator(id: Station201.id, port: server.port, mode: mode, ocpp: "2.0.1")
            defer { station.stop() }
            return try await body(server, station)
        }
    }

    /// The vector G-01 START_SESSION for the station's EVSE `evse`, as the IOP would POST it to
    /// `server` with its result going to `iop`. `authorization` and `token` replace the vector's
    /// `authorization_id` and token uid (`nil`: the vector's own).
    func startSession(
        iop: IOPStandIn,
        evse: Int = 1,
        authorization: String? = Self.authorization,
        token: String? = "APP9F2A11C4",
        name: String = "1"
    ) throws -> String {
        var replacing: [String: JSONValue?] = ["evse_uid": .string(Station201.evseUids[evse]!)]
        if let authorization { replacing["authorization_id"] = .string(authorization) }
        let body = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/\(name)", replacing: replacing)
        return token.map { body.replacingOccurrences(of: "APP-7Q2M4K9X", with: $0) } ?? body
    }

    /// Sends a station's frame at the station's time: the ledger's clock is moved to the frame's
    /// `timestamp` first (as if it arrived at once), so the vectors' hours-long sessions are not
    /// taken for a charger clock far ahead.
    func deliver(_ frame: JSONValue, to station: ChargerSimulator, on server: ServerHarness) async throws -> JSONValue {
        if let time = frame.arrayItems?.last?["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)), time > server.clock.now() {
            server.clock.set(time)
        }
        return try await station.raw(frame)
    }

    /// The vector frame with its members replaced (`path` → value, one level under the payload).
    func frame(_ group: String, _ index: Int, payload changes: [String: JSONValue?] = [:], info: [String: JSONValue?] = [:]) throws -> JSONValue {
        guard case .array(var items) = try Station201.frames(group)[index].frame, items.count == 4, case .object(var payload) = items[3] else {
            throw WaitTimedOut(what: "frame \(group).\(index + 1)", items: "")
        }
        for (key, value) in changes { payload[key] = value }
        if !info.isEmpty, case .object(var transaction)? = payload["transactionInfo"] {
            for (key, value) in info { transaction[key] = value }
            payload["transactionInfo"] = .object(transaction)
        }
        items[3] = .object(payload)
        return .array(items)
    }

    @Test(
        "G2: remote start → RequestStartTransaction(remoteStartId) → Started echoing it → Session PUT with the authorization_id → remote stop → Ended → CDR 7.734 kWh, bound by remote_start_id",
        arguments: StoreKind.available
    )
    func remoteStartProvedByRemoteStartId(kind: StoreKind) async throws {
        let iop = try await IOPStandIn()
        try await withStation(kind, iop: iop) { server, station in
            let start = try startSession(iop: iop)
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            let request = try await station.waitFor("RequestStartTransaction") {
                $0["event"]?.stringValue == "call" && $0["action"]?.stringValue == "RequestStartTransaction"
            }
            // G2.1: the token as a Central IdToken, the EVSE always, a remoteStartId of ours.
            #expect(request["payload"]?["idToken"] == .object(["idToken": .string("APP9F2A11C4"), "type": .string("Central")]))
            #expect(request["payload"]?["evseId"] == .number("1"))
            let remoteStartId = try #require(request["payload"]?["remoteStartId"]?.int64Value)
            #expect(remoteStartId > 0)
            let result = try await iop.requests.wait("the command result") { $0.contains { $0.body?["result"] != nil } }
            #expect(result.first { $0.body?["result"] != nil }?.body?["result"] == .string("ACCEPTED"))

            // G2.3, echoing the id we chose (the vector's 418 is the digest's example).
            let started = try await deliver(try frame("G2", 2, info: ["remoteStartId": .number(String(remoteStartId))]), to: station, on: server)
            #expect(started.arrayItems?[2] == .object(["idTokenInfo": .object(["status": .string("Accepted")])]))
            let bound = try await server.waitForEvent("AuthorizationBound")
            #expect(bound.data.value["matched_on"] == .array([.string("remote_start_id"), .string("id_token"), .string("evse")]))
            #expect(bound.data.value["remote_start_id"]?.int64Value == remoteStartId)
            #expect(bound.data.value["authorization_id"]?.stringValue == Self.authorization)
            #expect(try await deliver(try frame("G2", 4), to: station, on: server).arrayItems?[2] == .object([:]))

            let sessionId = StationTransactionsProbe.sessionId("7c9e6679-7425-40de-944b-e07fc1f90ae7")
            let stop = try Requests.vector(
                "G-05",
                responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/STOP_SESSION/1",
                replacing: ["session_id": .string(sessionId)]
            )
            #expect(try await server.command("STOP_SESSION", stop).result == "ACCEPTED")
            let stopCall = try await station.waitFor("RequestStopTransaction") {
                $0["event"]?.stringValue == "call" && $0["action"]?.stringValue == "RequestStopTransaction"
            }
            #expect(stopCall["payload"] == .object(["transactionId": .string("7c9e6679-7425-40de-944b-e07fc1f90ae7")]))
            #expect(try await deliver(try frame("G2", 8), to: station, on: server).arrayItems?[2] == .object([:]))

            let pushes = try await iop.requests.wait("the Session PUT and the CDR") { $0.contains { $0.path.hasSuffix("/cdrs") } }
                .filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            #expect(pushes.first?.method == "PUT" && pushes.first?.path == "/ocpi/emsp/2.1.1/sessions/FR/ABC/\(sessionId)")
            #expect(pushes.allSatisfy { $0.body?["authorization_id"]?.stringValue == Self.authorization })
            let cdr = try #require(pushes.last { $0.path.hasSuffix("/cdrs") }?.body)
            #expect(cdr["total_energy"] == .number("7.734"))
            #expect(cdr["start_date_time"]?.stringValue == "2025-03-14T09:00:07Z" && cdr["stop_date_time"]?.stringValue == "2025-03-14T09:42:31Z")

            let report = try #require(try await Projections.Audit.report(authorizationId: Self.authorization, store: server.store))
            #expect(report.sessions.map(\.id) == [sessionId])
            #expect(report.anomalies.isEmpty, "\(report.anomalies)")
            let text = report.text
            #expect(text.contains("matched on remote_start_id+id_token+evse (remoteStartId \(remoteStartId))"), "\(text)")
            #expect(text.contains("RequestStartTransaction sent to \(Station201.id)"))
        }
    }

    @Test(
        "G3: a cable plugged in first (no token, no session), then a remote start: the next event binds it by remoteStartId, billed from its first register"
    )
    func cableFirstThenRemoteStart() async throws {
        let iop = try await IOPStandIn()
        try await withStation(iop: iop, mode: "silent") { server, station in
            #expect(try await deliver(try frame("G3", 0), to: station, on: server).arrayItems?[2] == .object([:]))
            #expect(try await server.events("SessionStarted").isEmpty, "no token yet: no OCPI Session (cdr_token is required)")
            let start = try startSession(iop: iop, evse: 2)
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED", "an Occupied EVSE of a 2.0.1 station: the station decides")
            let call = try await station.waitFor("RequestStartTransaction") { $0["event"]?.stringValue == "call" }
            #expect(call["payload"]?["evseId"] == .number("2"))
            let remoteStartId = try #require(call["payload"]?["remoteStartId"])
            // G3.4: Accepted, naming the transaction already running (F01.FR.13).
            let answer = try Station201.frames("G3")[3].frame.canonicalText.replacingOccurrences(
                of: "csms-7f3a-0003",
                with: try #require(call["unique_id"]?.stringValue)
            )
            station.sendRaw(answer)
            try await iop.requests.wait("the command result") { $0.contains { $0.body?["result"] == .string("ACCEPTED") } }
            // G3.5: the next event carries RemoteStart, the remoteStartId and the token.
            let updated = try await deliver(try frame("G3", 4, info: ["remoteStartId": remoteStartId]), to: station, on: server)
            #expect(updated.arrayItems?[2]["idTokenInfo"]?["status"] == .string("Accepted"))
            let sessionId = StationTransactionsProbe.sessionId("b3f1c2d4-0a5e-4f7b-9c1d-2e3f4a5b6c7d")
            let session = try #require(try await server.store.state(SessionsProjection.self, sessionId))
            #expect(session.evseUid == Station201.evseUids[2] && session.meterStartWh == 884_120 && session.authorizationId == Self.authorization)
            #expect(session.startDatetime == Timestamp(iso8601: "2025-03-14T10:03:02Z"), "active from its authorization (digest §4.4 [REC])")
            #expect(session.bindings.first?.matchedOn == ["remote_start_id", "id_token", "evse"])
            #expect(session.concerns == nil, "\(session.concerns ?? [])")
            let pending = try await server.store.state(ChargePointsProjection.self, Station201.id)?.pendingTransactions
            #expect(pending?.isEmpty != false, "the transaction is no longer waiting for its token")
            let ended = try frame(
                "G2",
                8,
                payload: ["seqNo": .number("2"), "timestamp": .string("2025-03-14T10:40:00Z")],
                info: ["transactionId": .string("b3f1c2d4-0a5e-4f7b-9c1d-2e3f4a5b6c7d")]
            )
            _ = try await deliver(
                try JSONValue(
                    parsing: ended.canonicalText.replacingOccurrences(of: "1530744", with: "890000").replacingOccurrences(
                        of: "09:42:31",
                        with: "10:40:00"
                    )
                ),
                to: station,
                on: server
            )
            let completed = try #require(try await server.store.state(SessionsProjection.self, sessionId))
            #expect(completed.kwh == 5.88 && completed.status == .completed && completed.missingSeqNos.isEmpty)
        }
    }

    @Test("G6: a station that refuses RequestStartTransaction (TxInProgress) makes the command REJECTED; nothing is bound")
    func refusedRemoteStart() async throws {
        let iop = try await IOPStandIn()
        try await withStation(iop: iop, mode: "reject") { server, station in
            let start = try startSession(iop: iop, authorization: nil, token: nil)
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            try await station.waitFor("RequestStartTransaction answered") { $0["event"]?.stringValue == "answer" }
            let result = try await iop.requests.wait("the command result") { $0.contains { $0.body?["result"] != nil } }
            #expect(result.first { $0.body?["result"] != nil }?.body?["result"] == .string("REJECTED"))
            #expect(try await server.events("AuthorizationBound").isEmpty)
        }
    }

    @Test("a remoteStartId naming a command for another token binds nothing (for review); one the ledger never sent falls back to inference, said so")
    func remoteStartIdThatDoesNotProve() async throws {
        let iop = try await IOPStandIn()
        try await withStation(iop: iop) { server, station in
            let start = try startSession(iop: iop, token: nil)
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            let call = try await station.waitFor("RequestStartTransaction") { $0["event"]?.stringValue == "call" }
            let remoteStartId = try #require(call["payload"]?["remoteStartId"])
            // The vector's token (APP9F2A11C4) is not the command's (APP-7Q2M4K9X).
            _ = try await deliver(try frame("G2", 2, info: ["remoteStartId": remoteStartId]), to: station, on: server)
            let sessionId = StationTransactionsProbe.sessionId("7c9e6679-7425-40de-944b-e07fc1f90ae7")
            let session = try #require(try await server.store.state(SessionsProjection.self, sessionId))
            #expect(session.authorizationId == nil && session.bindings.map(\.matchedOn) == [["remote_start_id"]])
            #expect(
                session.concerns?.first?.contains("but the transaction's idToken is APP9F2A11C4: not bound, for review") == true,
                "\(session.concerns ?? [])"
            )
            // Another transaction echoing an id never sent to this station.
            _ = try await deliver(
                try frame("G2", 2, info: ["transactionId": .string("TX-NOT-OURS"), "remoteStartId": .number("999999")]),
                to: station,
                on: server
            )
            let other = try #require(try await server.store.state(SessionsProjection.self, StationTransactionsProbe.sessionId("TX-NOT-OURS")))
            #expect(other.bindings.first?.matchedOn == ["id_tag", "connector", "window"], "inferred as for 1.6")
            #expect(other.concerns?.contains("remoteStartId 999999 is not one this ledger sent to \(Station201.id): the link is inferred") == true)
            // A transaction on an EVSE the locations file does not wire: no session, an anomaly.
            _ = try await deliver(
                try frame("G2", 2, payload: ["evse": .object(["id": .number("7")])], info: ["transactionId": .string("TX-EVSE-7")]),
                to: station,
                on: server
            )
            #expect(try await server.store.state(SessionsProjection.self, StationTransactionsProbe.sessionId("TX-EVSE-7")) == nil)
            let anomaly = try #require(try await server.events("TransactionAnomaly").last?.data.value)
            #expect(anomaly["reason"]?.stringValue?.contains("runs on EVSE 7, which the locations file does not wire") == true)
        }
    }

    @Test("two remote starts for one token and EVSE: the inference cannot choose, the remoteStartId echoed later proves which (late truth)")
    func lateProofResolvesTwoCandidates() async throws {
        let iop = try await IOPStandIn()
        try await withStation(iop: iop) { server, station in
            var ids: [JSONValue] = []
            for (index, authorization) in ["AUTH-FIRST", "AUTH-SECOND"].enumerated() {
                let start = try startSession(iop: iop, authorization: authorization, name: "\(index)")
                #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
                try await station.waitFor("RequestStartTransaction", count: index + 1) { $0["event"]?.stringValue == "call" }
                ids.append(try #require(station.lines { $0["event"]?.stringValue == "call" }[index]["payload"]?["remoteStartId"]))
            }
            // Started without the id (some stations echo it only later): two candidates, nothing bound.
            _ = try await deliver(
                try frame("G2", 2, payload: ["triggerReason": .string("Authorized")], info: ["remoteStartId": nil]),
                to: station,
                on: server
            )
            let sessionId = StationTransactionsProbe.sessionId("7c9e6679-7425-40de-944b-e07fc1f90ae7")
            #expect(try await server.store.state(SessionsProjection.self, sessionId)?.bindings.first?.candidates == 2)
            // The next event echoes the second command's id.
            _ = try await deliver(try frame("G2", 4, info: ["remoteStartId": ids[1]]), to: station, on: server)
            let session = try #require(try await server.store.state(SessionsProjection.self, sessionId))
            #expect(session.authorizationId == "AUTH-SECOND")
            #expect(session.bindings.map(\.matchedOn) == [["id_tag", "connector", "window"], ["remote_start_id", "id_token", "evse"]])
            #expect(try await server.store.read(Anomaly.about("sessions:\(sessionId)")).isEmpty, "the unresolved binding is resolved")
        }
    }

    @Test("late truth: a transaction echoing the remoteStartId after the command timed out is still bound to it, and sends no second result")
    func lateTruthAfterTimeout() async throws {
        let iop = try await IOPStandIn()
        try await withStation(iop: iop, mode: "silent") { server, station in
            let start = try startSession(iop: iop)
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            let call = try await station.waitFor("RequestStartTransaction") { $0["event"]?.stringValue == "call" }
            server.clock.advance(milliseconds: 30_001)
            try await iop.requests.wait("the TIMEOUT") { $0.contains { $0.body?["result"] == .string("TIMEOUT") } }
            _ = try await deliver(
                try frame("G2", 2, info: ["remoteStartId": try #require(call["payload"]?["remoteStartId"])]),
                to: station,
                on: server
            )
            let session = try #require(
                try await server.store.state(SessionsProjection.self, StationTransactionsProbe.sessionId("7c9e6679-7425-40de-944b-e07fc1f90ae7"))
            )
            #expect(session.authorizationId == Self.authorization && session.bindings.first?.matchedOn.first == "remote_start_id")
            #expect(iop.requests.items.filter { $0.body?["result"] != nil }.count == 1, "one result: the TIMEOUT")
        }
    }

    @Test("G4: a local start with Authorize, energy in kWh normalised to 19.565 kWh, stoppedReason left out = Local")
    func localStartWithAuthorize() async throws {
        let iop = try await IOPStandIn()
        let answer = #"{"status_code":1000,"timestamp":"2025-03-14T10:10:00Z","data":{"allowed":"ALLOWED","authorization_id":"RTA-1"}}"#
        iop.answer { _, path in path.contains("/tokens/") ? .envelope(answer) : nil }
        try await withStation(iop: iop) { server, station in
            server.clock.set(Timestamp(iso8601: "2025-03-14T10:10:00Z")!)  // the swipe, just before the start
            let authorized = try await station.raw(try frame("G4", 0))
            #expect(authorized.arrayItems?[2]["idTokenInfo"]?["status"] == .string("Accepted"))
            #expect(iop.requests.items.contains { $0.path == "/ocpi/emsp/2.1.1/tokens/04A2B3C4D5E6F7/authorize" })
            #expect(try await deliver(try frame("G4", 2), to: station, on: server).arrayItems?[2]["idTokenInfo"]?["status"] == .string("Accepted"))
            #expect(try await deliver(try frame("G4", 4), to: station, on: server).arrayItems?[2]["idTokenInfo"]?["status"] == .string("Accepted"))
            let sessionId = StationTransactionsProbe.sessionId("TX-00000042")
            let session = try #require(try await server.store.state(SessionsProjection.self, sessionId))
            #expect(session.kwh == 19.565 && session.status == .completed)
            #expect(session.evseUid == Station201.evseUids[3] && session.transactionId == TransactionId(station: "TX-00000042"))
            #expect(session.authorizationId == "RTA-1", "the swipe's authorization binds, as for 1.6")
            let ended = try #require(try await server.events("SessionEnded").first?.data.value)
            #expect(ended["reason"]?.stringValue == "Local")
            #expect(session.concerns == nil, "\(session.concerns ?? [])")
        }
    }

    @Test(
        "G5: events queued offline, a resend answered as before and not counted twice, seqNo 3 missing: the session flagged until it comes; CDR 5.61 kWh"
    )
    func offlineResendAndGap() async throws {
        try await withStation { server, station in
            let transaction = "e0a1b2c3-d4e5-4f60-8172-93a4b5c6d7e8"
            // Delivered before the outage (the vector group's description): seqNo 0 Started, seqNo 1 Updated.
            let begin = try frame(
                "G2",
                2,
                payload: [
                    "seqNo": .number("0"), "triggerReason": .string("Authorized"),
                    "idToken": .object(["idToken": .string("04A2B3C4D5E6F7"), "type": .string("ISO14443")]),
                ],
                info: ["transactionId": .string(transaction), "remoteStartId": nil]
            )
            guard case .array(var items) = begin, case .object(var payload) = items[3] else { return }
            payload["meterValue"] = try JSONValue(
                parsing:
                    #"[{"timestamp":"2025-03-14T12:00:00Z","sampledValue":[{"value":2000500,"context":"Transaction.Begin","unitOfMeasure":{"unit":"Wh"}}]}]"#
            )
            payload["timestamp"] = .string("2025-03-14T12:00:00Z")
            items[3] = .object(payload)
            _ = try await deliver(.array(items), to: station, on: server)
            let updated = try frame("G5", 2, payload: ["seqNo": .number("1"), "offline": nil], info: [:])
            let earlier = updated.canonicalText.replacingOccurrences(of: "cs-0001-0402", with: "cs-0001-0400")
                .replacingOccurrences(of: "12:45:00", with: "12:15:00")
            _ = try await deliver(try JSONValue(parsing: earlier), to: station, on: server)
            for index in [0, 2, 4, 6] {
                let answer = try await deliver(try frame("G5", index), to: station, on: server)
                #expect(answer.arrayItems?.first == .number("3"), "G5.\(index + 1): \(answer)")
            }
            let sessionId = StationTransactionsProbe.sessionId(transaction)
            let session = try #require(try await server.store.state(SessionsProjection.self, sessionId))
            #expect(session.seqNos == [0, 1, 2, 4] && session.missingSeqNos == [3])
            #expect(session.kwh == 5.61 && session.status == .completed)
            #expect(session.endDatetime == Timestamp(iso8601: "2025-03-14T13:05:40Z"), "the station's time, not the receive time")
            #expect(session.concerns == nil, "\(session.concerns ?? [])")
            let repeats = try await server.events("TransactionMessageRepeated")
            #expect(repeats.count == 1 && repeats.first?.data.value["matched_on"] == .array([.string("transaction_id"), .string("seq_no")]))
            let received = try await server.events("TransactionEventReceived").map(\.data.value)
            #expect(received.filter { $0["offline"] == .bool(true) }.map { $0["seq_no"]?.int64Value } == [2, 4])
            #expect(try await server.events("CdrIssued").count == 1)
            // (No command or swipe started it: `unresolved_binding` too, as for a 1.6 transaction.)
            let anomalies = try await server.store.read(Anomaly.about("sessions:\(sessionId)")).filter { $0.kind == .transactionMessagesMissing }
            #expect(anomalies.count == 1, "\(anomalies)")
            #expect(anomalies.first?.detail.hasPrefix("seqNo 3 of transaction \(transaction) never arrived") == true)
            // The station finds seqNo 3 after all: the gap closes, and so does the flag.
            let found = try frame("G5", 2, payload: ["seqNo": .number("3"), "timestamp": .string("2025-03-14T12:55:00Z")], info: [:])
            _ = try await station.raw(found.canonicalText.replacingOccurrences(of: "cs-0001-0402", with: "cs-0001-0404"), id: "cs-0001-0404")
            #expect(try await server.store.read(Anomaly.about("sessions:\(sessionId)")).allSatisfy { $0.kind != .transactionMessagesMissing })
            #expect(try await server.store.state(SessionsProjection.self, sessionId)?.missingSeqNos == [])
        }
    }

    @Test("a seqNo that arrives late, before the end, fills its gap: no anomaly")
    func gapFilledLater() async throws {
        try await withStation { server, station in
            _ = try await deliver(try frame("G4", 2), to: station, on: server)  // seqNo 0, Started at 412.337 kWh
            // seqNo 2 before seqNo 1 (after failed deliveries, Part 2 E 1.3.2), then the end as seqNo 3.
            for (seqNo, time, kwh) in [(2, "10:40:00", "425.1"), (1, "10:30:00", "420.2")] {
                let meter = try JSONValue(
                    parsing: #"[{"timestamp":"2025-03-14T\#(time)Z","sampledValue":[{"value":\#(kwh),"unitOfMeasure":{"unit":"kWh"}}]}]"#
                )
                let updated = try frame(
                    "G5",
                    2,
                    payload: ["seqNo": .number(String(seqNo)), "timestamp": .string("2025-03-14T\(time)Z"), "meterValue": meter, "offline": nil],
                    info: ["transactionId": .string("TX-00000042")]
                )
                let late = updated.canonicalText.replacingOccurrences(of: "cs-0001-0402", with: "late-\(seqNo)")
                _ = try await deliver(try JSONValue(parsing: late), to: station, on: server)
            }
            _ = try await deliver(try frame("G4", 4, payload: ["seqNo": .number("3")]), to: station, on: server)
            let session = try #require(try await server.store.state(SessionsProjection.self, StationTransactionsProbe.sessionId("TX-00000042")))
            #expect(session.seqNos == [0, 1, 2, 3] && session.missingSeqNos.isEmpty)
            #expect(session.concerns == nil, "\(session.concerns ?? [])")
            #expect(session.status == .completed && session.kwh == 19.565)
        }
    }

    @Test("X1–X13: each invalid frame gets the digest's CALLERROR and is recorded; the station stays connected")
    func invalidFrames() async throws {
        try await withStation { server, station in
            for vector in try Station201.invalid() where vector.id != "X12" && vector.id != "X14" {
                let id = vector.raw.hasPrefix("[2,\"") ? String(vector.raw.dropFirst(4).prefix { $0 != "\"" }) : vector.id
                let answer = try await station.raw(vector.raw, id: id)
                #expect(answer.arrayItems?.first == .number("4"), "\(vector.id): \(answer)")
                #expect(answer.arrayItems?[2].stringValue == vector.code, "\(vector.id): \(answer)")
                // The message id is echoed when it could be read; an unreadable frame is answered "-1".
                #expect(answer.arrayItems?[1].stringValue == (vector.id == "X10" ? "-1" : id), "\(vector.id)")
            }
            let rejected = try await server.events("OcppFrameRejected")
            #expect(rejected.count == 12)
            #expect(try await station.call("Heartbeat", #"{"send":"Heartbeat"}"#)["event"]?.stringValue == "result")
            #expect(try await server.events("SessionStarted").isEmpty)
        }
    }

    @Test("X12: a station that never booted is answered SecurityError until its BootNotification is accepted")
    func securityErrorBeforeBoot() async throws {
        try await ServerHarness.with(locations: try Station201.locations(), clock: ManualClock(Station201.vectorTime)) { server in
            let station = try await ChargerSimulator(id: Station201.id, port: server.port, mode: "accept", boot: false, ocpp: "2.0.1")
            defer { station.stop() }
            try await station.waitFor("connected") { $0["event"]?.stringValue == "connected" }
            let x12 = try #require(try Station201.invalid().first { $0.id == "X12" })
            let answer = try await station.raw(x12.raw, id: "cs-0001-0912")
            #expect(answer.arrayItems?[2] == .string("SecurityError"))
            #expect(
                try await station.call(
                    "BootNotification",
                    #"{"send":"BootNotification","reason":"PowerUp","charging_station":{"vendor_name":"ACME","model":"ACME-22"}}"#
                )["payload"]?["status"] == .string("Accepted")
            )
            #expect(try await station.raw(x12.raw, id: "cs-0001-0912").arrayItems?.first == .number("3"))
        }
    }

    @Test("X14: a RequestStartTransactionResponse with a status the action does not have settles the command REJECTED")
    func invalidCallResult() async throws {
        let iop = try await IOPStandIn()
        try await withStation(iop: iop, mode: "silent") { server, station in
            let start = try startSession(iop: iop, authorization: nil, token: nil)
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            let call = try await station.waitFor("RequestStartTransaction") { $0["event"]?.stringValue == "call" }
            let messageId = try #require(call["unique_id"]?.stringValue)
            station.sendRaw(#"[3,"\#(messageId)",{"status":"Started"}]"#)
            let result = try await iop.requests.wait("the command result") { $0.contains { $0.body?["result"] != nil } }
            #expect(result.first { $0.body?["result"] != nil }?.body?["result"] == .string("REJECTED"))
        }
    }

    @Test("G1: boot, status, heartbeat, a NotifyEvent AvailabilityState and a main-meter MeterValues, answered as the vectors show")
    func connectionBasics() async throws {
        try await withStation { server, station in
            let frames = try Station201.frames("G1")
            for index in stride(from: 0, to: frames.count, by: 2) {
                let answer = try await station.raw(frames[index].frame)
                let expected = frames[index + 1].frame
                #expect(answer.arrayItems?.first == .number("3") && answer.arrayItems?[1] == expected.arrayItems?[1], "G1.\(index + 1): \(answer)")
                let keys = { (frame: JSONValue) -> [String] in
                    if case .object(let members)? = frame.arrayItems?[2] { members.keys.sorted() } else { [] }
                }
                #expect(keys(answer) == keys(expected), "G1.\(index + 2)")
            }
            // EVSE 1 AVAILABLE from StatusNotification, EVSE 2 CHARGING from the NotifyEvent (Occupied).
            let statuses = try await server.events("EvseStatusChanged").map(\.data.value)
            #expect(statuses.contains { $0["evse_uid"]?.stringValue == Station201.evseUids[1] && $0["status"]?.stringValue == "AVAILABLE" })
            #expect(statuses.contains { $0["evse_uid"]?.stringValue == Station201.evseUids[2] && $0["status"]?.stringValue == "CHARGING" })
            #expect(try await server.events("MeterValuesRecorded").isEmpty, "a main-meter reading is no session's")
            let connected = try #require(try await server.events("ChargePointConnected").last?.data.value)
            #expect(connected["subprotocol"] == .string("ocpp2.0.1"))
        }
    }

    @Test("subprotocols: a station offering both gets 2.0.1, or 1.6 when its locations entry names 1.6; one offering neither is refused")
    func subprotocolChoice() async throws {
        try await ServerHarness.with(locations: try Station201.locations()) { server in
            let both = try await ChargerSimulator(id: Station201.id, port: server.port, mode: "accept", ocpp: "2.0.1", offer: "ocpp1.6,ocpp2.0.1")
            defer { both.stop() }
            #expect(try await both.waitFor("connected") { $0["event"]?.stringValue == "connected" }["subprotocol"] == .string("ocpp2.0.1"))
            let old = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept", boot: false, offer: "ocpp2.0")
            defer { old.stop() }
            #expect(
                try await old.waitFor("refused") { ["connected", "connect_failed"].contains($0["event"]?.stringValue) }["event"]
                    == .string("connect_failed")
            )
        }
        try await ServerHarness.with(locations: try Station201.locations(version: "1.6")) { server in
            let both = try await ChargerSimulator(id: Station201.id, port: server.port, mode: "accept", offer: "ocpp2.0.1,ocpp1.6")
            defer { both.stop() }
            #expect(try await both.waitFor("connected") { $0["event"]?.stringValue == "connected" }["subprotocol"] == .string("ocpp1.6"))
        }
    }
}

/// The session id a station's transaction gets, as the server computes it.
enum StationTransactionsProbe {
    static func sessionId(_ transactionId: String, station: String = Station201.id) -> String {
        OCPP201Sessions.sessionId(chargePointId: station, transactionId: TransactionId(station: transactionId))
    }
}
