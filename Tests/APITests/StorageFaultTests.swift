import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Testing

/// The ledger on a disk that fills up (a real ENOSPC, on a tmpfs): nothing that is not durable is
/// acknowledged — commands get 503/3000, charger CALLs an InternalError CALLERROR — the server
/// stays up, its timeout service and outbox back off instead of spinning, and everything resumes
/// once space returns. Time is the harness's manual clock; no test here waits for real time.
@Suite("Storage faults", .serialized)
struct StorageFaultTests {
    static let chargePoint = CommandPathTests.chargePoint

    /// A server whose ledger lives on a 16 MB tmpfs, with the IOP stand-in and a charger that
    /// holds remote commands until told (`late`).
    func onSmallDisk(_ body: (ServerHarness, SmallDisk, IOPStandIn, ChargerSimulator) async throws -> Void) async throws {
        let disk = try await SmallDisk.mount(megabytes: 16)
        let iop = try await IOPStandIn()
        // The EVSE status of the charger's boot is refused for good (parked at once): its lane's
        // retries would otherwise interleave with the ones these tests step through.
        iop.answer { _, path in path.contains("/locations/") ? .ocpiError(2001) : nil }
        do {
            try await ServerHarness.with(directory: disk.directory, iop: iop.url) { server in
                let charger = try await ChargerSimulator(id: Self.chargePoint, port: server.port, mode: "late")
                defer { charger.stop() }
                try await body(server, disk, iop, charger)
            }
        } catch {
            await disk.unmount()
            throw error
        }
        await disk.unmount()
    }

    func start(_ iop: IOPStandIn, _ name: String) throws -> String {
        try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/\(name)")
    }

    @Test("a full disk: commands get 503/3000 and charger CALLs InternalError, the TIMEOUT waits for space, nothing acknowledged is lost")
    func commandsAndTimeoutsOnAFullDisk() async throws {
        try await onSmallDisk { server, disk, iop, charger in
            let started = server.clock.now()
            // A: recorded, answered by the charger, its result delivered — before the disk fills.
            #expect(try await server.command("START_SESSION", try start(iop, "A")).result == "ACCEPTED")
            try await charger.waitFor("A held") { $0["event"]?.stringValue == "held" }
            charger.send("release")
            try await iop.requests.wait("A's result") { $0.count == 1 }
            _ = try await server.waitForEvent("DeliverySucceeded", matching: ServerHarness.outsideEvseLanes)
            // B: recorded and dispatched; the charger keeps it, so its deadline will pass.
            #expect(try await server.command("START_SESSION", try start(iop, "B")).result == "ACCEPTED")
            try await charger.waitFor("B held") { $0["event"]?.stringValue == "held" }
            let before = try await server.store.headPosition()

            try disk.fill(ledger: server.directory.path("ledger.sqlite"))
            let refused = try await server.command("START_SESSION", try start(iop, "C"))
            #expect(refused.httpStatus == 503 && refused.statusCode == 3000)
            let stop = try await server.command("STOP_SESSION", try Requests.vector("V-04", responseURL: "\(iop.url)/stop/1"))
            #expect(stop.httpStatus == 503 && stop.statusCode == 3000)
            let status = try await charger.call("StatusNotification", #"{"send":"StatusNotification","status":"Preparing"}"#)
            #expect(status["event"]?.stringValue == "callerror" && status["code"]?.stringValue == "InternalError")
            let transaction = try await charger.call(
                "StartTransaction",
                #"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#
            )
            #expect(transaction["event"]?.stringValue == "callerror" && transaction["code"]?.stringValue == "InternalError")
            #expect(try await (server.request(.GET, "/health")).httpStatus == 200)

            // B's deadline passes: its TIMEOUT cannot be recorded, and the timeout service waits
            // the storage retry delay — on the clock, not in a tight loop.
            server.clock.set(started.adding(milliseconds: 31_000))
            try await withTimeout("the timeout service to back off") {
                await server.clock.waitForSleeper(until: started.adding(milliseconds: 32_000))
            }
            #expect(try await server.store.headPosition() == before)
            #expect(iop.requests.items.count == 1)

            // Space returns: the TIMEOUT is recorded and delivered, exactly once; new work is taken.
            try disk.free()
            server.clock.set(started.adding(milliseconds: 32_000))
            try await iop.requests.wait("B's TIMEOUT") { $0.count == 2 }
            #expect(iop.results == ["ACCEPTED", "TIMEOUT"])
            let retried = try await charger.call(
                "StartTransaction",
                #"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#
            )
            #expect(retried["event"]?.stringValue == "result" && retried["transaction_id"]?.int64Value != nil)
            #expect(try await server.command("START_SESSION", try start(iop, "D")).httpStatus == 200)

            // Exactly what was acknowledged is in the ledger: A, B and D, not C nor the stop.
            let urls = try await server.events("CommandReceived").compactMap { $0.data.value["response_url"]?.stringValue }
            #expect(urls.map { $0.components(separatedBy: "/").last ?? "" } == ["A", "B", "D"])
            #expect(try await server.events("SessionStarted").count == 1)
            #expect(try await server.events("ConnectorStatusChanged").allSatisfy { $0.data.value["status"]?.stringValue != "Preparing" })
        }
    }

    @Test("a full disk while the outbox delivers: the attempt's record is appended again until space returns, and not sent twice")
    func deliveriesOnAFullDisk() async throws {
        try await onSmallDisk { server, disk, iop, charger in
            let started = server.clock.now()
            iop.answer(.httpStatus(503))  // the IOP is down: the result waits in the outbox
            #expect(try await server.command("START_SESSION", try start(iop, "A")).result == "ACCEPTED")
            try await charger.waitFor("A held") { $0["event"]?.stringValue == "held" }
            charger.send("release")
            _ = try await server.waitForEvent("DeliveryAttempted", matching: ServerHarness.outsideEvseLanes)

            try disk.fill(ledger: server.directory.path("ledger.sqlite"))
            iop.answer(.success)
            // The retry after 1 s reaches the IOP, but its success cannot be recorded: the outbox
            // tries the record again after the storage retry delay, without spinning.
            server.clock.set(started.adding(milliseconds: 1_000))
            try await withTimeout("the outbox to back off") {
                await server.clock.waitForSleeper(until: started.adding(milliseconds: 2_000))
            }
            #expect(iop.accepted.count == 1)

            try disk.free()
            server.clock.set(started.adding(milliseconds: 2_000))
            _ = try await server.waitForEvent("DeliverySucceeded", matching: ServerHarness.outsideEvseLanes)
            // The success is recorded late, not sent again.
            #expect(iop.accepted.map(\.body) == [.object(["result": .string("ACCEPTED")])])
            #expect(try await server.events("DeliverySucceeded").filter(ServerHarness.outsideEvseLanes).count == 1)
        }
    }
}

/// Runs `work`, failing the test after `seconds` instead of hanging it.
func withTimeout(_ what: String, seconds: Double = 30, _ work: @escaping @Sendable () async -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            await work()
            return true
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return false
        }
        defer { group.cancelAll() }
        guard try await group.next() == true else { throw WaitTimedOut(what: what, items: "") }
    }
}
