import API
import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import Logging
import NIOCore
import NIOHTTP1
import Projections
import Simulation

/// The scripted day of `ledger demo`, played against the real server: the IOP's commands over
/// HTTP, the chargers' OCPP over WebSockets, and the simulated IOP receiving what the ledger sends.
struct DemoDay {
    static let iopToken = "demo-iop-token"
    let port: Int
    let store: SQLiteEventStore
    let iop: IOPSimulator
    let commandTimeout: Int
    let logger: Logger

    func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await chargerA(client)
            try await chargerB(client)
            try await stationC(client)
            try await until("the outbox is empty") { try await store.read(DeliveriesProjection.count(.pending)) == 0 }
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// CP-0042-A: a remote start and stop; then another charge while the IOP is down.
    private func chargerA(_ client: HTTPClient) async throws {
        try await SimulatedCharger.run(url: "ws://127.0.0.1:\(port)/ocpp/CP-0042-A", logger: logger) { charger in
            try await boot(charger)
            step("remote start on EVSE-0042-01, stopped 10 kWh later")
            try await remoteCharge(charger, client, token: "APP-DEMO-1", evse: "EVSE-0042-01", meterStop: 10_000)

            step("the IOP goes down; a charge completes meanwhile")
            iop.setDown(true)
            let delivered = iop.cdrsAccepted
            try await remoteCharge(charger, client, token: "APP-DEMO-2", evse: "EVSE-0042-01", meterStop: 4_200)
            try await until("the outbox has retried") { try await store.read(DeliveriesProjection.all(.pending)).contains { $0.attempts >= 2 } }
            iop.setDown(false)
            step("the IOP is back: the outbox drains (in order per session)")
            await iop.waitForCDRs(delivered + 1)
        }
    }

    /// CP-0042-B: an RFID swipe authorized by the IOP; then a START_SESSION it never answers.
    private func chargerB(_ client: HTTPClient) async throws {
        try await SimulatedCharger.run(url: "ws://127.0.0.1:\(port)/ocpp/CP-0042-B", logger: logger) { charger in
            try await boot(charger)
            step("RFID swipe 04A1B2C3D4E5F6 at EVSE-0042-02, authorized by the IOP in real time")
            let authorized = try await charger.call("Authorize", ["idTag": .string("04A1B2C3D4E5F6")])
            guard authorized["idTagInfo"]?["status"]?.stringValue == "Accepted" else { throw SimulationError("the swipe was refused: \(authorized)") }
            let started = try await charger.call(
                "StartTransaction",
                [
                    "connectorId": .number("1"), "idTag": .string("04A1B2C3D4E5F6"), "meterStart": .number("0"), "timestamp": SimulatedCharger.now,
                ]
            )
            try await stopTransaction(charger, started, meterStop: 6_500)

            step("a START_SESSION the charger never answers: TIMEOUT after \(commandTimeout) s")
            let answer = try await command(client, "START_SESSION", startBody(token: "APP-DEMO-3", evse: "EVSE-0042-02"))
            guard answer == "ACCEPTED" else { throw SimulationError("START_SESSION answered \(answer)") }
            _ = try await charger.nextCall()  // RemoteStartTransaction, left unanswered
            try await until("the TIMEOUT is sent") {
                try await store.read(DeliveriesProjection.all(.delivered)).contains { $0.scheduled.body == #"{"result":"TIMEOUT"}"# }
            }
        }
    }

    /// CS-0042-C, an OCPP 2.0.1 station: a remote start it proves with the remoteStartId it echoes.
    private func stationC(_ client: HTTPClient) async throws {
        try await SimulatedCharger.run(url: "ws://127.0.0.1:\(port)/ocpp/CS-0042-C", subprotocol: .v201, logger: logger) { station in
            _ = try await station.call(
                "BootNotification",
                ["reason": .string("PowerUp"), "chargingStation": .object(["vendorName": .string("Demo"), "model": .string("Simulated-201")])]
            )
            _ = try await station.call(
                "StatusNotification",
                ["timestamp": SimulatedCharger.now, "connectorStatus": .string("Available"), "evseId": .number("1"), "connectorId": .number("1")]
            )
            step("OCPP 2.0.1 station CS-0042-C: remote start on EVSE-0042-03, bound by the remoteStartId it echoes; 7.7 kWh")
            let answer = try await command(client, "START_SESSION", startBody(token: "APP-DEMO-4", evse: "EVSE-0042-03"))
            guard answer == "ACCEPTED" else { throw SimulationError("START_SESSION answered \(answer)") }
            let request = try await station.nextCall()
            try await station.reply(request, ["status": .string("Accepted")])
            let transaction = UUID().uuidString.lowercased()
            func event(
                _ type: String,
                _ trigger: String,
                seqNo: Int,
                wh: Int,
                context: String,
                extra: [String: JSONValue] = [:]
            ) -> [String: JSONValue] {
                var info: [String: JSONValue] = ["transactionId": .string(transaction)]
                if type == "Started" { info["remoteStartId"] = request.payload["remoteStartId"] ?? .number("0") }
                if type == "Ended" { info["stoppedReason"] = .string("Remote") }
                return [
                    "eventType": .string(type), "timestamp": SimulatedCharger.now, "triggerReason": .string(trigger), "seqNo": .number(String(seqNo)),
                    "transactionInfo": .object(info),
                    "meterValue": .array([
                        .object([
                            "timestamp": SimulatedCharger.now,
                            "sampledValue": .array([.object(["value": .number(String(wh)), "context": .string(context)])]),
                        ])
                    ]),
                ].merging(extra) { $1 }
            }
            _ = try await station.call(
                "TransactionEvent",
                event(
                    "Started",
                    "RemoteStart",
                    seqNo: 0,
                    wh: 100_000,
                    context: "Transaction.Begin",
                    extra: [
                        "idToken": request.payload["idToken"] ?? .null, "evse": .object(["id": .number("1"), "connectorId": .number("1")]),
                    ]
                )
            )
            try await stopSession(client, OCPP201Sessions.sessionId(chargePointId: "CS-0042-C", transactionId: TransactionId(station: transaction)))
            try await station.reply(try await station.nextCall(), ["status": .string("Accepted")])  // RequestStopTransaction
            _ = try await station.call(
                "TransactionEvent",
                event("Ended", "RemoteStop", seqNo: 1, wh: 107_734, context: "Transaction.End", extra: [:])
            )
        }
    }

    private func boot(_ charger: SimulatedCharger) async throws {
        _ = try await charger.call("BootNotification", ["chargePointVendor": .string("Demo"), "chargePointModel": .string("Simulated")])
        _ = try await charger.call(
            "StatusNotification",
            ["connectorId": .number("1"), "status": .string("Available"), "errorCode": .string("NoError")]
        )
    }

    /// START_SESSION → RemoteStartTransaction → StartTransaction, then STOP_SESSION → RemoteStopTransaction → StopTransaction.
    private func remoteCharge(_ charger: SimulatedCharger, _ client: HTTPClient, token: String, evse: String, meterStop: Int) async throws {
        let answer = try await command(client, "START_SESSION", startBody(token: token, evse: evse))
        guard answer == "ACCEPTED" else { throw SimulationError("START_SESSION answered \(answer)") }
        let remoteStart = try await charger.nextCall()
        try await charger.reply(remoteStart, ["status": .string("Accepted")])
        let started = try await charger.call(
            "StartTransaction",
            [
                "connectorId": .number("1"), "idTag": remoteStart.payload["idTag"] ?? .string(token), "meterStart": .number("0"),
                "timestamp": SimulatedCharger.now,
            ]
        )
        _ = try await charger.call(
            "StatusNotification",
            ["connectorId": .number("1"), "status": .string("Charging"), "errorCode": .string("NoError")]
        )
        guard let transactionId = started["transactionId"]?.int64Value,
            let sessionId = try await store.state(SessionsProjection.self, String(transactionId))?.id
        else { throw SimulationError("no session for the transaction") }
        try await stopSession(client, sessionId)
        let remoteStop = try await charger.nextCall()
        try await charger.reply(remoteStop, ["status": .string("Accepted")])
        try await stopTransaction(charger, started, meterStop: meterStop)
    }

    /// The IOP's STOP_SESSION of `sessionId`, which must be ACCEPTED.
    private func stopSession(_ client: HTTPClient, _ sessionId: String) async throws {
        let stop = try await command(
            client,
            "STOP_SESSION",
            JSONValue.object([
                "response_url": .string("\(iop.url)/commands/STOP_SESSION/\(UUID().uuidString.lowercased())"), "session_id": .string(sessionId),
            ]).canonicalText
        )
        guard stop == "ACCEPTED" else { throw SimulationError("STOP_SESSION answered \(stop)") }
    }

    private func stopTransaction(_ charger: SimulatedCharger, _ started: JSONValue, meterStop: Int) async throws {
        guard let transactionId = started["transactionId"]?.int64Value else { throw SimulationError("StartTransaction gave no transactionId") }
        _ = try await charger.call(
            "StopTransaction",
            [
                "transactionId": .number(String(transactionId)), "meterStop": .number(String(meterStop)), "timestamp": SimulatedCharger.now,
            ]
        )
        _ = try await charger.call(
            "StatusNotification",
            ["connectorId": .number("1"), "status": .string("Available"), "errorCode": .string("NoError")]
        )
    }

    private func startBody(token: String, evse: String) -> String {
        JSONValue.object([
            "response_url": .string("\(iop.url)/commands/START_SESSION/\(UUID().uuidString.lowercased())"),
            "token": .object([
                "uid": .string(token), "type": .string("OTHER"), "auth_id": .string("FR*XYZ*\(token)"), "issuer": .string("XYZ"),
                "valid": .bool(true), "whitelist": .string("ALLOWED"), "last_updated": .string("2026-01-01T00:00:00Z"),
            ]),
            "authorization_id": .string(UUID().uuidString.lowercased()),
            "location_id": .string("LOC-PARIS-0042"), "evse_uid": .string(evse),
        ]).canonicalText
    }

    /// POSTs a command as the IOP would; returns its synchronous result.
    private func command(_ client: HTTPClient, _ type: String, _ body: String) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/ocpi/cpo/2.1.1/commands/\(type)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Token \(Self.iopToken)")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        let envelope = try JSONValue(parsing: Array(buffer: try await response.body.collect(upTo: 1 << 16)))
        return envelope["data"]?["result"]?.stringValue ?? "OCPI \(envelope["status_code"]?.int64Value ?? 0)"
    }

    private func step(_ text: String) { say("· \(text)") }

    /// Waits (a minute at most) until the ledger shows `condition`: the day moves on when the
    /// ledger says so, not after a guessed delay.
    private func until(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<600 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SimulationError("gave up waiting until \(what)")
    }

    /// What the day left in the ledger, and that it verifies and replays.
    func summarize(verifyingIn directory: URL) async throws {
        let counts = try await store.read(LogQueries.rowCounts(["events", "commands", "sessions", "cdrs", "anomalies", "deliveries"]))
        say("the day's ledger: " + counts.map { "\($0.rows) \($0.table)" }.joined(separator: ", "))
        let timeouts = try await store.read(CommandsProjection.countsByStatus).filter { $0.status == "TIMEOUT" }.reduce(0) { $0 + $1.count }
        say("commands that timed out: \(timeouts); CDRs the IOP accepted: \(iop.cdrsAccepted)")
        let report = try await store.verify()
        let replay = try await ReplayCheck.run(store: store, scratchPath: directory.appending(path: "replay.sqlite").path())
        let replayed = if case .identical = replay { "identical" } else { "DIFFERENT: \(replay)" }
        say("verify: \(report.isClean ? "ok" : report.problems.joined(separator: "; ")); replay: \(replayed)")
    }
}
