import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// `ledger deliveries` on a stopped ledger: an operator can always clear a delivery that cannot go
/// out, recorded as the ops page records it, with their name.
@Suite("ledger deliveries")
struct DeliveriesCommandTests {
    /// A ledger whose outbox holds one parked delivery to an impossible URL, as an older binary could leave it.
    func ledgerWithPoison(_ path: String) async throws {
        let store = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        let metadata = EventMetadata(source: "ocpi", correlationId: "poison")
        _ = try await store.append(
            [
                try EventCoding.newEvent(
                    DeliveryScheduled(
                        deliveryId: "dlv-poison",
                        kind: .commandResult,
                        target: "response_url:poison",
                        method: "POST",
                        url: "http://127.0.0.1:99999/x\u{1B}[2J",
                        body: #"{"result":"ACCEPTED"}"#,
                        commandId: "poison"
                    ),
                    metadata: metadata
                ),
                try EventCoding.newEvent(DeliveryParked(deliveryId: "dlv-poison", reason: "cannot be delivered"), metadata: metadata),
            ],
            to: "delivery-dlv-poison",
            expectedVersion: .noStream
        )
        await store.close()
    }

    @Test(
        "list shows the parked delivery (control characters shown, not obeyed); abandon records the operator and the reason; then the outbox is empty"
    )
    func listAndAbandon() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = directory.path("ledger.sqlite")
        try await ledgerWithPoison(db)

        let listed = try await ChildProcess.ledger("deliveries", "list", "--db", db)
        #expect(listed.status == 0)
        #expect(listed.stdout.hasPrefix("dlv-poison\tparked\tcommand_result\t0 attempts\tPOST http://127.0.0.1:99999/x?[2J"), "\(listed.stdout)")

        let noReason = try await ChildProcess.ledger("deliveries", "abandon", "dlv-poison", "--operator", "alice", "--db", db)
        #expect(noReason.status == 64, "\(noReason.stderr)")
        let unknown = try await ChildProcess.ledger("deliveries", "requeue", "dlv-nothing", "--operator", "alice", "--db", db)
        #expect(unknown.status == 1 && unknown.stderr == "error: no delivery dlv-nothing\n", "\(unknown.stderr)")

        let abandoned = try await ChildProcess.ledger(
            "deliveries",
            "abandon",
            "dlv-poison",
            "--operator",
            "alice",
            "--reason",
            "impossible port",
            "--db",
            db
        )
        #expect(abandoned.status == 0 && abandoned.stdout == "delivery dlv-poison abandoned\n", "\(abandoned.stdout)\(abandoned.stderr)")
        #expect(try await ChildProcess.ledger("deliveries", "list", "--db", db).stdout == "the outbox is empty\n")

        try await SQLiteEventStore(path: db).closing { store in
            let event = try #require(try await store.readStream("delivery-dlv-poison", fromVersion: 1, limit: 10).last)
            #expect(event.type == "DeliveryAbandoned")
            #expect(event.metadata.value["source"]?.stringValue == "ops:alice")
            #expect(event.data.value["reason"]?.stringValue == "impossible port")
        }
    }

    @Test("requeue sends a parked delivery back (recorded with the operator's name); a pending one is refused, exit 1")
    func requeue() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = directory.path("ledger.sqlite")
        try await ledgerWithPoison(db)
        let requeued = try await ChildProcess.ledger("deliveries", "requeue", "dlv-poison", "--operator", "bob", "--db", db)
        #expect(requeued.status == 0 && requeued.stdout == "delivery dlv-poison is back in the outbox\n", "\(requeued.stderr)")
        let again = try await ChildProcess.ledger("deliveries", "requeue", "dlv-poison", "--operator", "bob", "--db", db)
        #expect(again.status == 1 && again.stderr == "error: delivery dlv-poison is pending\n", "\(again.stderr)")
    }
}
