import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOPosix
import Projections
import Simulation
import TestPrerequisites
import Testing

/// A thousand chargers on one `ledger serve` process (the debug build CI makes), through the lean
/// swarm `ledger-bench chargers` uses: all connect and boot at once, all start a transaction at
/// once, all send a meter value at once (no wall-clock spacing), and all stop at once — one in five
/// an OCPP 2.0.1 station. Then the ledger must hold every message that was answered, once: a
/// session and a priced CDR per transaction, and a chain that verifies. The timing figures are the benchmark's
/// (docs/performance.md); here only what is recorded counts. Part of the soak's suite, which is
/// serialized: two load tests side by side on two cores starved each other (in CI the soak's
/// throughput fell by two thirds while this ran beside it).
extension SoakTests {
    static let chargers = 1000

    @Test("a thousand chargers boot, start, meter and stop at once: every answered message is recorded once and every session has its CDR")
    func thousandChargersAtOnce() async throws {
        try await StoreKind.sqlite.withScratchLedger { ledger in try await Self.swarm(instances: 1, on: ledger) }
    }

    /// The two instances' transaction-id counters race in a start storm (`TransactionIds`).
    @Test(
        "two instances on one PostgreSQL ledger, 400 chargers at once: no StartTransaction refused, every message recorded once",
        .needsPostgres
    )
    func thousandChargersOverTwoInstances() async throws {
        // 400, not 1,000: beside the other PostgreSQL suites on CI's two cores, a thousand made their
        // 29-s client deadlines run out (MultiInstanceTests, in the fresh-clone run at 7282901). At 400
        // the counters' old lockstep no longer shows here (8 tries suffice); `TransactionIdsTests` pins it.
        try await StoreKind.postgres.withScratchLedger { ledger in try await Self.swarm(instances: 2, on: ledger, chargers: 400) }
    }

    /// Runs the swarm against `instances` servers on `ledger`, kills them with -9 (what was
    /// answered must already be durable), then checks what the ledger holds.
    static func swarm(instances: Int, on ledger: ScratchLedger, chargers: Int = chargers) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(FileLimit.raise() >= 2 * chargers + 256, "too few file descriptors for a thousand chargers and their servers")
        let locations = directory.path("locations.json")
        try Swarm.locations(count: chargers, v201Every: 5).write(toFile: locations, atomically: true, encoding: .utf8)
        var servers: [(LineProcess, Int)] = []
        for _ in 0..<instances { servers.append(try await ServeProcess.start(directory, db: ledger.db, locations: locations)) }
        defer { for (server, _) in servers { server.kill() } }
        let swarm = Swarm(
            endpoints: servers.map { .init(host: "127.0.0.1", port: $0.1) },
            count: chargers,
            v201Every: 5,
            group: MultiThreadedEventLoopGroup.singleton
        )
        for phase in [
            await swarm.connectAndBoot(), await swarm.startTransactions(), await swarm.meterValues(rounds: 1, interval: .zero),
            await swarm.stopTransactions(rounds: 1),
        ] {
            #expect(phase.errors == 0, "\(phase.name): \(phase.firstErrors)")
            #expect(phase.latencies.values.reduce(0) { $0 + $1.count } >= chargers, "\(phase.name) answered too few")
        }
        for (server, _) in servers {
            let peakKiB = try peakRSSKiB(server.processIdentifier)
            // Bounded, not fast: a debug build holding its share of the connections and sessions.
            #expect(peakKiB < 1_000_000, "peak RSS \(peakKiB) KiB")
            print("a thousand chargers over \(instances) instance(s): server peak RSS \(peakKiB / 1024) MiB")
            server.kill()
        }
        await swarm.dropConnections()
        let store = try await ledger.open()
        var counts: [String: Int] = [:]
        var position: Int64 = 0
        while true {
            let page = try await store.readAll(after: position, limit: 4096)
            guard let last = page.last else { break }
            for event in page { counts[event.type, default: 0] += 1 }
            position = last.position
        }
        let report = try await store.verify()
        await store.close()
        #expect(report.isClean, "\(report.problems)")
        #expect(counts[BootNotified.eventType] == chargers)
        #expect(counts[SessionStarted.eventType] == chargers)
        #expect(counts[SessionEnded.eventType] == chargers)
        #expect(counts[CdrIssued.eventType] == chargers)
        // The one sample between start and stop: a 1.6 MeterValues or a 2.0.1 TransactionEvent Updated.
        #expect(counts[MeterValuesRecorded.eventType] == chargers)
        #expect(counts[OcppFrameRejected.eventType] == nil && counts[TransactionMessageRepeated.eventType] == nil)
    }

    static func peakRSSKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return try #require(Int(line.split(separator: " ")[1]))
    }
}
