import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Synchronization
import Testing

/// `ledger cdrs`: billing reads CDRs by position and resumes from the last one it printed.
@Suite("Billing export")
struct BillingExportTests {
    static func cdr(_ index: Int, authorization: String? = nil) -> CdrIssued {
        let start = Timestamp(iso8601: "2026-03-01T08:00:00Z")!.adding(milliseconds: Int64(index) * 60_000)
        return CdrIssued(
            cdrId: "CDR-\(index)",
            sessionId: "SES-\(index)",
            authorizationId: authorization ?? "auth-\(index)",
            authId: "FR*XYZ*C\(index)",
            authMethod: "AUTH_REQUEST",
            locationId: "LOC-1",
            evseUid: "EVSE-\(index % 3)",
            currency: "EUR",
            startDateTime: start,
            stopDateTime: start.adding(milliseconds: 1_800_000),
            totalEnergy: Double(index) + 0.5,
            totalTime: 0.5,
            totalCost: 1.25,
            chargingPeriods: []
        )
    }

    @Test(
        "the dispute log's three CDRs, with their authorization_ids, in issue order; --after resumes; CSV has a header",
        arguments: StoreKind.available
    )
    func disputeLog(kind: StoreKind) async throws {
        try await ReplayTests.withImportedLedger("dispute_two_authorizations_three_cdrs", kind: kind) { ledger in try await disputeLog(ledger.db) }
    }

    private func disputeLog(_ path: String) async throws {

        let all = try await CLI.ledger("cdrs", "--db", path)
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n").map { try! JSONValue(parsing: String($0)) }
        #expect(lines.count == 3)
        let positions = lines.compactMap { $0["position"]?.int64Value }
        #expect(positions == positions.sorted() && Set(positions).count == 3)
        #expect(lines.allSatisfy { $0["cdr_id"]?.stringValue != nil && $0["kwh"] != nil && $0["evse_uid"] != nil })
        #expect(Set(lines.compactMap { $0["authorization_id"]?.stringValue }).count >= 1)

        let rest = try await CLI.ledger("cdrs", "--db", path, "--after", String(positions[0]))
        #expect(rest.stdout.split(separator: "\n").count == 2)
        #expect(try await CLI.ledger("cdrs", "--db", path, "--after", String(positions[2])).stdout.isEmpty)

        let csv = try await CLI.ledger("cdrs", "--db", path, "--format", "csv", "--limit", "2")
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.first == Substring(BillingExport.Record.csvHeader))
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("\(positions[0]),"))
    }

    @Test("a bad cursor or format is refused with a usage error", arguments: [["--after", "-1"], ["--limit", "0"], ["--format", "xml"]])
    func refusesBadArguments(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await CLI.ledger(["cdrs", "--db", directory.path("ledger.sqlite")] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
    }

    @Test(
        "a consumer reading in chunks while CDRs keep being issued gets every CDR exactly once, in order",
        arguments: StoreKind.available
    )
    func resumesWhileAppending(kind: StoreKind) async throws {
        try await kind.withScratchLedger { ledger in try await resumesWhileAppending(try await ledger.open()) }
    }

    private func resumesWhileAppending(_ store: any ProjectionStore) async throws {
        do {
            let total = 300
            let writerDone = Mutex(false)
            let writer = Task {
                for index in 0..<total {
                    let event = try EventCoding.newEvent(Self.cdr(index), metadata: EventMetadata(source: "test"))
                    // Some CDRs are issued twice (a retried StopTransaction): still one CDR.
                    let copies =
                        index % 37 == 0 ? [event, try EventCoding.newEvent(Self.cdr(index), metadata: EventMetadata(source: "test"))] : [event]
                    _ = try await store.append(copies, to: "cdr-CDR-\(index)", expectedVersion: .any)
                    // Unrelated events between CDRs move positions on without a CDR.
                    let noise = try EventCoding.newEvent(ChargePointConnected(chargePointId: "CP-\(index)"), metadata: EventMetadata(source: "test"))
                    _ = try await store.append([noise], to: "chargepoint-CP-\(index)", expectedVersion: .any)
                }
                writerDone.withLock { $0 = true }
            }
            var seen: [String] = []
            var cursor: Int64 = 0
            var pages = 0
            while true {
                // Read before the page: a page read after the writer finished sees all it wrote.
                let done = writerDone.withLock { $0 }
                let page = try await BillingExport.records(after: cursor, limit: 7, store: store)
                seen += page.map(\.cdrId)
                cursor = page.last?.position ?? cursor
                pages += page.isEmpty ? 0 : 1
                if page.isEmpty {
                    if done { break }
                    await Task.yield()
                }
            }
            try await writer.value
            #expect(pages > 1)
            #expect(seen == (0..<total).map { "CDR-\($0)" })
        }
        await store.close()
    }

    @Test("a priced CDR is exported with its exact total_cost, parking time, tariff version and (NDJSON) its computation")
    func pricedCdr() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        var cdr = Self.cdr(7)
        cdr.totalCost = Decimal(string: "12.38")!
        cdr.totalParkingTime = 1.1833
        cdr.pricing = CdrPricing(
            tariff: TariffVersion(id: "11", lastUpdated: "2015-06-29T20:39:09Z"),
            timeZone: "Europe/Paris",
            exactCost: Decimal(string: "12.375")!,
            periods: [
                .init(
                    startDateTime: cdr.startDateTime,
                    state: "CHARGING",
                    components: [
                        .init(type: "FLAT", volume: 1, billedVolume: 1, unitPrice: Decimal(string: "2.50")!, stepSize: nil, element: 0, amount: 2.5)
                    ]
                )
            ]
        )
        let store = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        _ = try await store.append(
            [try EventCoding.newEvent(cdr, metadata: EventMetadata(source: "test"))],
            to: "session-SES-7",
            expectedVersion: .any
        )
        await store.close()

        let line = try JSONValue(parsing: try await CLI.ledger("cdrs", "--db", path).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(line["total_cost"] == .number("12.38"))
        #expect(line["total_parking_time"] == .number("1.1833"))
        #expect(line["tariff_id"]?.stringValue == "11" && line["tariff_last_updated"]?.stringValue == "2015-06-29T20:39:09Z")
        #expect(line["pricing"]?["exact_cost"] == .number("12.375"))
        #expect(line["pricing"]?["periods"]?.canonicalText.contains(#""unit_price":2.5"#) == true)

        let csv = try await CLI.ledger("cdrs", "--db", path, "--format", "csv").stdout.split(separator: "\n")
        #expect(csv.first?.hasSuffix(",total_parking_time,total_cost,currency,tariff_id,tariff_last_updated") == true, "\(csv)")
        #expect(csv.last?.hasSuffix(",1.1833,12.38,EUR,11,2015-06-29T20:39:09Z") == true, "\(csv)")
    }
}
