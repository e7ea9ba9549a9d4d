import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Projections
import Testing

/// The synchronous answers of the recommended outcome table (ocpi-2.1.1.md §2.6, gireve-iop.md
/// §2), driven by the spec's test vectors; every authenticated request leaves exactly one
/// CommandReceived + CommandAnswered pair.
@Suite("OCPI command answers", .serialized)
struct CommandValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let command: String
        let body: @Sendable (String) throws -> String
        let httpStatus: Int
        let statusCode: Int64
        let result: String?
        let message: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "X-03 StartSession without token",
            command: "START_SESSION",
            body: { try Requests.vector("X-03", responseURL: $0) },
            httpStatus: 200,
            statusCode: 2001,
            result: nil,
            message: "token is required"
        ),
        Case(
            name: "G-02 StartSession without evse_uid (Gireve)",
            command: "START_SESSION",
            body: { try Requests.vector("G-02", responseURL: $0) },
            httpStatus: 200,
            statusCode: 2001,
            result: nil,
            message: "evse_uid is required on the Gireve IOP connection"
        ),
        Case(
            name: "V-02 StartSession without evse_uid (plain OCPI)",
            command: "START_SESSION",
            body: { try Requests.vector("V-02", responseURL: $0) },
            httpStatus: 200,
            statusCode: 2001,
            result: nil,
            message: "evse_uid is required"
        ),
        Case(
            name: "X-04 StopSession with a 48-character session_id",
            command: "STOP_SESSION",
            body: { try Requests.vector("X-04", responseURL: $0) },
            httpStatus: 200,
            statusCode: 2001,
            result: nil,
            message: "session_id is 48 characters"
        ),
        Case(
            name: "V-08 unknown location",
            command: "START_SESSION",
            body: { try Requests.vector("G-01", responseURL: $0, replacing: ["location_id": .string("LOC-PARIS-9999")]) },
            httpStatus: 200,
            statusCode: 2003,
            result: nil,
            message: "Unknown location_id: LOC-PARIS-9999"
        ),
        Case(
            name: "unknown EVSE at a known location",
            command: "START_SESSION",
            body: { try Requests.vector("G-01", responseURL: $0, replacing: ["evse_uid": .string("EVSE-9")]) },
            httpStatus: 200,
            statusCode: 2003,
            result: nil,
            message: "Unknown evse_uid EVSE-9"
        ),
        Case(
            name: "V-04 StopSession of an unknown session",
            command: "STOP_SESSION",
            body: { try Requests.vector("V-04", responseURL: $0) },
            httpStatus: 200,
            statusCode: 1000,
            result: "UNKNOWN_SESSION",
            message: nil
        ),
        Case(
            name: "G-05 StopSession from the IOP, unknown session",
            command: "STOP_SESSION",
            body: { try Requests.vector("G-05", responseURL: $0) },
            httpStatus: 200,
            statusCode: 1000,
            result: "UNKNOWN_SESSION",
            message: nil
        ),
        Case(
            name: "X-G-03 RESERVE_NOW through the IOP",
            command: "RESERVE_NOW",
            body: { try Requests.vector("V-01", responseURL: $0) },
            httpStatus: 200,
            statusCode: 1000,
            result: "NOT_SUPPORTED",
            message: nil
        ),
        Case(
            name: "a command OCPI does not know",
            command: "START_CHARGING",
            body: { try Requests.vector("V-01", responseURL: $0) },
            httpStatus: 200,
            statusCode: 1000,
            result: "NOT_SUPPORTED",
            message: nil
        ),
        Case(
            name: "malformed JSON",
            command: "START_SESSION",
            body: { _ in ##"{"response_url": "x", "token": "## },
            httpStatus: 400,
            statusCode: 2000,
            result: nil,
            message: "not valid JSON"
        ),
        Case(
            name: "V-01 with no charger connected",
            command: "START_SESSION",
            body: { try Requests.vector("V-01", responseURL: $0) },
            httpStatus: 200,
            statusCode: 1000,
            result: "REJECTED",
            message: nil
        ),
        Case(
            name: "G-03 (no authorization_id) with no charger connected",
            command: "START_SESSION",
            body: { try Requests.vector("G-03", responseURL: $0) },
            httpStatus: 200,
            statusCode: 1000,
            result: "REJECTED",
            message: nil
        ),
    ]

    @Test("each vector gets its documented answer and is recorded as one received/answered pair", arguments: cases)
    func answers(_ testCase: Case) async throws {
        let (answer, received, answered) = try await ServerHarness.with { server in
            (
                try await server.command(testCase.command, try testCase.body("http://127.0.0.1:9/unused")),
                try await server.events("CommandReceived"), try await server.events("CommandAnswered")
            )
        }
        #expect(answer.httpStatus == testCase.httpStatus)
        #expect(answer.statusCode == testCase.statusCode)
        #expect(answer.result == testCase.result)
        #expect(answer.envelope?["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        if let message = testCase.message {
            #expect(answer.envelope?["status_message"]?.stringValue?.contains(message) == true, "\(String(describing: answer.envelope))")
            #expect(answer.envelope?["data"] == nil)
        }
        #expect(received.count == 1 && answered.count == 1)
        #expect(answered.first?.data.value["status_code"]?.int64Value == testCase.statusCode)
    }

    @Test("G-02's authorization_id is recorded with the refused command, bound to nothing")
    func refusedCommandKeepsAuthorizationId() async throws {
        let (events, links) = try await ServerHarness.with { server in
            _ = try await server.command("START_SESSION", try Requests.vector("G-02", responseURL: "http://127.0.0.1:9/unused"))
            return (
                try await server.events("CommandReceived"),
                try await server.store.withProjectionSnapshot { try $0.rows("SELECT body FROM authorizations").count }
            )
        }
        let received = try #require(events.first)
        #expect(received.data.value["authorization_id"]?.stringValue == "0d6e2f1a-9b8c-4d7e-a6f5-e4d3c2b1a098")
        #expect(received.data.value["body"]?.stringValue?.contains("0d6e2f1a-9b8c-4d7e-a6f5-e4d3c2b1a098") == true)
        #expect(links == 1)
    }

    @Test("a missing or wrong token is answered 401 with an envelope and not recorded", arguments: [nil, "wrong", ""] as [String?])
    func unauthorized(token: String?) async throws {
        let (answer, head) = try await ServerHarness.with { server in
            (
                try await server.command("START_SESSION", try Requests.vector("G-01", responseURL: "http://127.0.0.1:9/x"), token: token),
                try await server.store.headPosition()
            )
        }
        #expect(answer.httpStatus == 401)
        #expect(answer.statusCode == 2000)
        #expect(head == 0)
    }

    @Test("an authorization_id over 36 characters is accepted verbatim with a warning event")
    func longAuthorizationId() async throws {
        let long = String(repeating: "a1b2c3d4-", count: 6)  // 60 characters
        let (answer, warnings, received) = try await ServerHarness.with { server in
            (
                try await server.command(
                    "START_SESSION",
                    try Requests.vector(
                        "G-01",
                        responseURL: "http://127.0.0.1:9/x",
                        replacing: ["authorization_id": .string(long)]
                    )
                ),
                try await server.events("CommandWarning"), try await server.events("CommandReceived")
            )
        }
        #expect(answer.result == "REJECTED")  // no charger connected; the id itself is not a reason to refuse
        #expect(warnings.count == 1)
        #expect(received.first?.data.value["authorization_id"]?.stringValue == long)
    }

    @Test("version discovery lists the credentials, commands, locations and tariffs endpoints, behind the same token")
    func versions() async throws {
        let (port, versions, details, refused) = try await ServerHarness.with { server in
            (
                server.port, try await server.request(.GET, "/ocpi/versions"), try await server.request(.GET, "/ocpi/2.1.1"),
                try await server.request(.GET, "/ocpi/2.1.1", token: nil)
            )
        }
        #expect(
            versions.envelope?["data"] == .array([.object(["version": .string("2.1.1"), "url": .string("http://127.0.0.1:\(port)/ocpi/2.1.1")])])
        )
        #expect(
            details.envelope?["data"]?["endpoints"]
                == .array(
                    [.object(["identifier": .string("credentials"), "url": .string("http://127.0.0.1:\(port)/ocpi/2.1.1/credentials")])]
                        + ["cdrs", "commands", "locations", "sessions", "tariffs"].map {
                            .object(["identifier": .string($0), "url": .string("http://127.0.0.1:\(port)/ocpi/cpo/2.1.1/\($0)")])
                        }
                )
        )
        #expect(refused.httpStatus == 401)
    }
}
