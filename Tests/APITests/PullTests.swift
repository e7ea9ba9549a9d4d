import API
import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOCore
import NIOHTTP1
import Projections
import Testing

/// The IOP pulls Sessions and CDRs, paginated (it ignores an unpaginated answer).
@Suite("GET sessions and cdrs", .serialized)
struct PullTests {
    /// `count` finished charges, one clock minute apart, each with its session and CDR.
    func seed(_ server: ServerHarness, count: Int) async throws {
        for index in 1...count {
            server.clock.advance(milliseconds: 60_000)
            let id = String(index)
            let start = server.clock.now()
            let metadata = EventMetadata(source: "ocpp:CP-0042-A", correlationId: id)
            let events = [
                try EventCoding.newEvent(
                    SessionStarted(
                        sessionId: id,
                        chargePointId: "CP-0042-A",
                        connectorId: 1,
                        transactionId: TransactionId(ocpp16: index),
                        idTag: "TAG",
                        locationId: "LOC-PARIS-0042",
                        evseUid: "EVSE-0042-01",
                        authId: "FR*XYZ*C1",
                        authMethod: "AUTH_REQUEST",
                        startedAt: start,
                        meterStartWh: 0,
                        currency: "EUR",
                        authorizationId: index % 2 == 0 ? "auth-\(index)" : nil
                    ),
                    metadata: metadata
                ),
                try EventCoding.newEvent(
                    SessionEnded(sessionId: id, endedAt: start.adding(milliseconds: 1_800_000), meterStopWh: 5000),
                    metadata: metadata
                ),
                try EventCoding.newEvent(
                    CdrIssued(
                        cdrId: "CDR-\(id)",
                        sessionId: id,
                        authorizationId: index % 2 == 0 ? "auth-\(index)" : nil,
                        authId: "FR*XYZ*C1",
                        authMethod: "AUTH_REQUEST",
                        locationId: "LOC-PARIS-0042",
                        evseUid: "EVSE-0042-01",
                        currency: "EUR",
                        startDateTime: start,
                        stopDateTime: start.adding(milliseconds: 1_800_000),
                        totalEnergy: 5,
                        totalTime: 0.5,
                        totalCost: 0,
                        chargingPeriods: []
                    ),
                    metadata: metadata
                ),
            ]
            _ = try await server.store.append(events, to: "session-\(id)", expectedVersion: .noStream)
        }
    }

    @Test("25 CDRs in pages of 10: totals, limits and a next link until the last page, oldest first")
    func cdrPages() async throws {
        try await ServerHarness.with { server in
            try await seed(server, count: 25)
            var path = "/ocpi/cpo/2.1.1/cdrs?limit=10"
            var ids: [String] = []
            var pages = 0
            while true {
                let (answer, headers) = try await server.pull(path)
                pages += 1
                #expect(answer.statusCode == 1000)
                #expect(headers["X-Total-Count"] == "25" && headers["X-Limit"] == "10")
                guard case .array(let cdrs)? = answer.envelope?["data"] else {
                    Issue.record("no data")
                    return
                }
                ids += cdrs.compactMap { $0["id"]?.stringValue }
                for cdr in cdrs {
                    let even = (Int(cdr["id"]?.stringValue?.dropFirst(4) ?? "") ?? 1) % 2 == 0
                    #expect((cdr["authorization_id"] != nil) == even)  // omitted, never null, when there is none
                }
                guard let link = headers["Link"], let next = link.firstMatch(of: /<http:\/\/[^\/]+(\/[^>]+)>; rel="next"/) else { break }
                path = String(next.1)
            }
            #expect(pages == 3)
            #expect(ids == (1...25).map { "CDR-\($0)" })
        }
    }

    @Test("sessions need date_from; date_from is inclusive and date_to exclusive, on last_updated")
    func sessionDates() async throws {
        try await ServerHarness.with { server in
            let begin = server.clock.now()
            try await seed(server, count: 5)
            let (missing, _) = try await server.pull("/ocpi/cpo/2.1.1/sessions")
            #expect(missing.statusCode == 2001)
            let (invalid, _) = try await server.pull("/ocpi/cpo/2.1.1/sessions?date_from=yesterday")
            #expect(invalid.statusCode == 2001)
            // Session n was last updated at begin + n minutes (its end was recorded then).
            let from = begin.adding(milliseconds: 2 * 60_000).ocpiDateTime
            let to = begin.adding(milliseconds: 4 * 60_000).ocpiDateTime
            let (answer, headers) = try await server.pull("/ocpi/cpo/2.1.1/sessions?date_from=\(from)&date_to=\(to)")
            guard case .array(let sessions)? = answer.envelope?["data"] else {
                Issue.record("no data")
                return
            }
            #expect(headers["X-Total-Count"] == "2")
            #expect(headers["Link"] == nil)
            #expect(sessions.compactMap { $0["id"]?.stringValue } == ["2", "3"])
            #expect(sessions.first?["status"]?.stringValue == "COMPLETED")
            #expect(sessions.first?["location"]?["id"]?.stringValue == "LOC-PARIS-0042")
        }
    }
}
