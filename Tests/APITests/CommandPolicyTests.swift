import Domain
import Foundation
import Ledger
import Projections
import Testing

@testable import API

/// `CommandPolicy` alone: every rule of what a command gets, without HTTP, a ledger or a charger
/// (the same rules end to end are in `CommandValidationTests` and `CommandPathTests`).
@Suite("Command policy")
struct CommandPolicyTests {
    static let responseURL = "https://iop.example.net/ocpi/emsp/2.1.1/commands/START_SESSION/7f2c"
    let policy = CommandPolicy(
        locations: try! LocationRegistry(contentsOf: ServerHarness.examplesLocations),
        offered: CommandType.gireve,
        responseURLs: ResponseURLPolicy(iopURL: "https://iop.example.net/ocpi", allowedHosts: [])
    )

    func request(_ vector: String, _ type: CommandType = .startSession, replacing changes: [String: JSONValue?] = [:]) throws -> CommandRequest {
        let body = try JSONValue(parsing: try Requests.vector(vector, responseURL: Self.responseURL, replacing: changes))
        return try CommandRequest(type: type, body: body)
    }

    func evse(_ request: CommandRequest) throws -> LocationRegistry.EVSE {
        guard case .evse(let evse) = policy.subject(of: request) else { throw PolicyTestError("no EVSE for \(request)") }
        return evse
    }

    @Test("what cannot be read, is not offered, breaks a field's rule or names a forbidden response_url is refused before anything is read")
    func parseRefusals() throws {
        func refusal(_ segment: String, _ json: JSONValue?) -> OCPIResponse? {
            guard case .failure(let refusal) = policy.parse(segment: segment, json: json) else { return nil }
            return refusal.decision.response
        }
        #expect(refusal("START_SESSION", nil)?.statusCode == 2000)
        #expect(refusal("RESERVE_NOW", .object([:]))?.data?["result"]?.stringValue == "NOT_SUPPORTED")
        #expect(refusal("START_SESSION", try JSONValue(parsing: try Requests.vector("X-03", responseURL: Self.responseURL)))?.statusCode == 2001)
        let elsewhere = try JSONValue(parsing: try Requests.vector("G-01", responseURL: "https://attacker.example.org/steal"))
        #expect(refusal("START_SESSION", elsewhere)?.statusCode == 2001)
        #expect(refusal("START_SESSION", try JSONValue(parsing: try Requests.vector("G-01", responseURL: Self.responseURL))) == nil)
    }

    @Test("an unknown location or EVSE is 2003; a known EVSE is the subject")
    func subjects() throws {
        guard case .answered(let unknownLocation) = policy.subject(of: try request("G-01", replacing: ["location_id": .string("LOC-9")])) else {
            Issue.record("an unknown location was not answered")
            return
        }
        #expect(unknownLocation.response.statusCode == 2003)
        guard case .answered(let unknownEVSE) = policy.subject(of: try request("G-01", replacing: ["evse_uid": .string("EVSE-9")])) else {
            Issue.record("an unknown EVSE was not answered")
            return
        }
        #expect(unknownEVSE.response.statusMessage == "Unknown evse_uid EVSE-9 at location LOC-PARIS-0042")
        #expect(try evse(try request("G-01")).chargePointId == "CP-0042-A")
    }

    @Test("START_SESSION becomes RemoteStartTransaction on the EVSE's connector with the token uid, through the instance holding the charger")
    func startAccepted() throws {
        let start = try request("G-01")
        let decision = policy.decide(start, at: try evse(start), route: .via(instance: "other"), connectorFree: true)
        #expect(decision.response.data?["result"]?.stringValue == "ACCEPTED")
        #expect(decision.dispatch?.action == "RemoteStartTransaction")
        #expect(decision.dispatch?.payload == .object(["connectorId": .number("1"), "idTag": .string(start.tokenUid ?? "")]))
        #expect(decision.dispatch?.via == "other" && decision.dispatch?.chargePointId == "CP-0042-A")
    }

    @Test("a charger connected nowhere, or an occupied connector, is REJECTED and nothing is sent; UNLOCK_CONNECTOR ignores the connector's state")
    func startRejected() throws {
        let start = try request("G-01")
        let evse = try evse(start)
        for (route, free) in [(nil, true), (CommandPolicy.Route.here, false)] as [(CommandPolicy.Route?, Bool)] {
            let decision = policy.decide(start, at: evse, route: route, connectorFree: free)
            #expect(decision.response.data?["result"]?.stringValue == "REJECTED" && decision.dispatch == nil)
        }
        let unlock = try CommandRequest(
            type: .unlockConnector,
            body: .object([
                "response_url": .string(Self.responseURL), "location_id": .string("LOC-PARIS-0042"), "evse_uid": .string("EVSE-0042-01"),
                "connector_id": .string("1"),
            ])
        )
        let unlocked = policy.decide(unlock, at: evse, route: .here, connectorFree: false)
        #expect(unlocked.dispatch?.action == "UnlockConnector" && unlocked.dispatch?.payload == .object(["connectorId": .number("1")]))
    }

    @Test("STOP_SESSION: unknown session UNKNOWN_SESSION, an ended one REJECTED, an active one RemoteStopTransaction of its transaction")
    func stop() throws {
        let stop = try CommandRequest(type: .stopSession, body: .object(["response_url": .string(Self.responseURL), "session_id": .string("17")]))
        #expect(policy.decideStop(stop, session: nil, route: .here).response.data?["result"]?.stringValue == "UNKNOWN_SESSION")
        let started = SessionStarted(
            sessionId: "17",
            chargePointId: "CP-0042-A",
            connectorId: 1,
            transactionId: 17,
            idTag: "TAG",
            locationId: "LOC-PARIS-0042",
            evseUid: "EVSE-0042-01",
            authId: "FR*XYZ*TAG",
            authMethod: "AUTH_REQUEST",
            startedAt: Timestamp(millisecondsSinceEpoch: 0),
            meterStartWh: 0,
            currency: "EUR"
        )
        var session: SessionsProjection.State?
        SessionsProjection().apply(
            &session,
            LoggedEvent(position: 1, recordedAt: Timestamp(millisecondsSinceEpoch: 0), event: .sessionStarted(started))
        )
        let accepted = policy.decideStop(stop, session: session, route: .here)
        #expect(accepted.dispatch?.action == "RemoteStopTransaction" && accepted.dispatch?.payload == .object(["transactionId": .number("17")]))
        #expect(policy.decideStop(stop, session: session, route: nil).response.data?["result"]?.stringValue == "REJECTED")
        SessionsProjection().apply(
            &session,
            LoggedEvent(
                position: 2,
                recordedAt: Timestamp(millisecondsSinceEpoch: 1),
                event: .sessionEnded(
                    SessionEnded(
                        sessionId: "17",
                        endedAt: Timestamp(millisecondsSinceEpoch: 1),
                        meterStopWh: 10
                    )
                )
            )
        )
        #expect(policy.decideStop(stop, session: session, route: .here).response.data?["result"]?.stringValue == "REJECTED")
    }

    @Test("a copy with the same body gets the original answer; another body under the same response_url is 2001 naming the original")
    func copies() throws {
        let received = CommandReceived(commandId: "c-1", command: "START_SESSION", body: "{}", bodyHash: "aa", responseUrl: Self.responseURL)
        var original: CommandsProjection.State?
        let projection = CommandsProjection()
        projection.apply(&original, LoggedEvent(position: 1, recordedAt: Timestamp(millisecondsSinceEpoch: 0), event: .commandReceived(received)))
        projection.apply(
            &original,
            LoggedEvent(
                position: 2,
                recordedAt: Timestamp(millisecondsSinceEpoch: 0),
                event: .commandAnswered(CommandAnswered(commandId: "c-1", statusCode: 1000, result: "ACCEPTED"))
            )
        )
        let state = try #require(original)
        var copy = received
        copy.commandId = "c-2"
        let same = policy.repeated(copy, original: state)
        #expect(same.duplicateOf == "c-1" && same.response.data?["result"]?.stringValue == "ACCEPTED" && same.dispatch == nil)
        copy.bodyHash = "bb"
        let conflict = policy.repeated(copy, original: state)
        #expect(conflict.response.statusCode == 2001 && conflict.response.statusMessage?.contains("command c-1") == true)
    }

    @Test("an authorization_id longer than 36 characters is kept with a warning")
    func longAuthorizationId() throws {
        let start = try request("G-01", replacing: ["authorization_id": .string(String(repeating: "a", count: 40))])
        let decision = policy.withWarnings(start, policy.decide(start, at: try evse(start), route: .here, connectorFree: true))
        #expect(decision.warnings == ["authorization_id has 40 characters (more than 36); stored verbatim"])
        let plain = try request("G-01")
        #expect(policy.withWarnings(plain, policy.decide(plain, at: try evse(plain), route: .here, connectorFree: true)).warnings.isEmpty)
    }
}

struct PolicyTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
