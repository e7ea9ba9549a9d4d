import ArgumentParser
import Domain
import Foundation
import Ledger
import Projections

/// Replay rate of a generated log through all projections, audit latency on it, and peak RSS.
///
/// Baselines measured in the same run: for replay, reading the same events through the store
/// (the read a replay makes: `readPayloads`, pages of the same size) without decoding or folding them; for audit, one primary-key lookup of the same
/// authorization's row through the same read path.
struct ReplayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay (events/s) of a generated log through all projections, audit p50/p99, peak RSS."
    )

    @Option(help: "Events in the generated log.")
    var events = 1_000_000

    @Option(help: "Audits to time, on random authorization ids.")
    var audits = 2_000

    @Option(
        help:
            "Keep the generated log at this path, and reuse it when it is there (`--events` is then ignored): generating takes most of a run. The runs use a copy."
    )
    var log: String?

    func run() async throws {
        let directory = try BenchmarkDirectory("replay")
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")

        var generated = GeneratedLog()
        if let log, FileManager.default.fileExists(atPath: log) {
            try FileManager.default.copyItem(atPath: log, toPath: path)
            try await generated.skip(log: path)
            print("reused \(generated.count) events (\(generated.charges) charges) of \(log)")
        } else {
            let generation = ContinuousClock.now
            let writer = try SQLiteEventStore(path: path, configuration: .init(durability: .normal))
            while generated.count < events {
                _ = try await writer.appendAll(try generated.nextCharges(200))
            }
            await writer.close()
            print(
                "generated \(generated.count) events (\(generated.charges) charges) in \(String(format: "%.1f", (ContinuousClock.now - generation).seconds)) s; RSS \(PeakMemory.megabytes) MB"
            )
            if let log { try FileManager.default.copyItem(atPath: path, toPath: log) }
        }

        let store = try SQLiteEventStore(path: path)
        for round in 1...2 {
            let readStart = ContinuousClock.now
            var cursor: Int64 = 0
            var read = 0
            while true {
                let page = try await store.readPayloads(after: cursor, limit: ProjectionRebuild.defaultPageSize)
                guard let last = page.last else { break }
                read += page.count
                cursor = last.position
            }
            let readSeconds = (ContinuousClock.now - readStart).seconds

            let scratch = try Database.open(path: directory.path("rebuild-\(round).sqlite"), readModels: ProjectionEngine())
            let cpuStart = ProcessorTime.seconds
            let replayStart = ContinuousClock.now
            let rebuild = try ProjectionRebuild(into: scratch)
            _ = try await rebuild.run(from: store)
            let foldSeconds = (ContinuousClock.now - replayStart).seconds
            try rebuild.finish()
            let totalSeconds = (ContinuousClock.now - replayStart).seconds
            let cpuSeconds = ProcessorTime.seconds - cpuStart
            let readRate = Double(read) / readSeconds
            let foldRate = Double(read) / foldSeconds
            print(
                "replay round \(round): read only \(Int(readRate)) events/s; read+fold \(Int(foldRate)) events/s (ratio \(String(format: "%.2f", foldRate / readRate))); "
                    + "read+fold+write tables \(Int(Double(read) / totalSeconds)) events/s, "
                    + String(format: "%.2f CPU-s (%.2f cores); ", cpuSeconds, cpuSeconds / totalSeconds) + "RSS \(PeakMemory.megabytes) MB"
            )
            fflush(nil)  // progress shows when output goes to a file
        }
        await store.close()

        // Live tables for the audit: the rows rebuilt into the ledger itself (nobody else has it open).
        let reader = try SQLiteEventStore(path: path)
        let rebuild = try ProjectionRebuild(into: try Database.open(path: path, scratch: false, readModels: ProjectionEngine()))
        _ = try await rebuild.run(from: reader)
        try rebuild.finish()
        await reader.close()

        let live = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        var random = SystemRandomNumberGenerator()
        var auditTimes: [Double] = []
        var lookupTimes: [Double] = []
        for _ in 0..<audits {
            let id = generated.authorizationId(Int.random(in: 0..<generated.charges, using: &random))
            let lookupStart = ContinuousClock.now
            _ = try await live.withReadDatabase { try $0.rows("SELECT body FROM authorizations WHERE key = ?", [.text(id)]).count }
            lookupTimes.append((ContinuousClock.now - lookupStart).seconds * 1000)
            let auditStart = ContinuousClock.now
            guard let report = try await Projections.Audit.report(authorizationId: id, store: live), !report.timeline.isEmpty else {
                throw BenchmarkError("audit found nothing for \(id)")
            }
            auditTimes.append((ContinuousClock.now - auditStart).seconds * 1000)
        }
        await live.close()
        auditTimes.sort()
        lookupTimes.sort()
        func percentile(_ values: [Double], _ p: Double) -> Double { values[min(values.count - 1, Int(Double(values.count) * p))] }
        print(
            String(
                format: "audit (%d random ids): p50 %.3f ms, p99 %.3f ms; baseline row lookup p50 %.3f ms, p99 %.3f ms (p50 ratio %.1f)",
                audits,
                percentile(auditTimes, 0.5),
                percentile(auditTimes, 0.99),
                percentile(lookupTimes, 0.5),
                percentile(lookupTimes, 0.99),
                percentile(auditTimes, 0.5) / percentile(lookupTimes, 0.5)
            )
        )
        print("peak RSS \(PeakMemory.megabytes) MB")
    }
}

/// A plausible day of a CPO, repeated: each charge is a remote start with its result delivered,
/// a session with meter values, a stop, a CDR and its delivery (`eventsPerCharge` events). One charge in 50
/// reuses the previous authorization, as a retried StartSession would.
struct GeneratedLog {
    private(set) var count = 0
    private(set) var charges = 0
    private var time = Timestamp(iso8601: "2026-01-01T00:00:00Z")!

    /// Takes the counts of a log generated before (charges are whole: `eventsPerCharge` each).
    mutating func skip(log path: String) async throws {
        let store = try SQLiteEventStore(path: path)
        count = Int(try await store.headPosition())
        await store.close()
        charges = count / Self.eventsPerCharge
    }

    static let eventsPerCharge = 19

    func authorizationId(_ charge: Int) -> String {
        let index = charge % 50 == 49 ? charge - 1 : charge
        return String(format: "auth-%08x-7a4d-4e8b-9c21-5d7e0a6f3b48", index)
    }

    mutating func nextCharges(_ n: Int) throws -> [AppendRequest] {
        var requests: [AppendRequest] = []
        for _ in 0..<n { requests += try nextCharge() }
        return requests
    }

    private mutating func nextCharge() throws -> [AppendRequest] {
        let charge = charges
        charges += 1
        let command = "cmd-\(charge)"
        let stop = "stop-\(charge)"
        let session = "ses-\(charge)"
        let cdr = "cdr-\(charge)"
        let authorization = authorizationId(charge)
        let evse = "EVSE-\(charge % 400)"
        let chargePoint = "CP-\(charge % 200)"
        func at(_ seconds: Int64) -> Timestamp { time.adding(milliseconds: seconds * 1000) }
        var byStream: [(String, [any DomainEventPayload])] = []
        byStream.append(
            (
                StreamID.command(command),
                [
                    CommandReceived(
                        commandId: command,
                        command: "START_SESSION",
                        body:
                            #"{"response_url":"https://iop.example.net/ocpi/emsp/2.1.1/commands/START_SESSION/\#(command)","token":{"uid":"TOKEN-\#(charge % 5000)","type":"RFID","auth_id":"FR*XYZ*C\#(charge % 5000)","issuer":"XYZ","valid":true,"whitelist":"ALLOWED","last_updated":"2026-01-01T00:00:00Z"},"authorization_id":"\#(authorization)","location_id":"LOC-1","evse_uid":"\#(evse)"}"#,
                        bodyHash: "h\(charge)",
                        responseUrl: "https://iop.example.net/ocpi/emsp/2.1.1/commands/START_SESSION/\(command)",
                        locationId: "LOC-1",
                        evseUid: evse,
                        tokenUid: "TOKEN-\(charge % 5000)",
                        authId: "FR*XYZ*C\(charge % 5000)",
                        authorizationId: authorization
                    ),
                    CommandAnswered(commandId: command, statusCode: 1000, result: "ACCEPTED"),
                    CommandDispatched(
                        commandId: command,
                        chargePointId: chargePoint,
                        action: "RemoteStartTransaction",
                        messageId: "m-\(command)",
                        connectorId: 1,
                        deadline: at(30)
                    ),
                    ChargerResponded(
                        commandId: command,
                        chargePointId: chargePoint,
                        messageId: "m-\(command)",
                        frame: #"[3,"m-\#(command)",{"status":"Accepted"}]"#,
                        result: "ACCEPTED"
                    ),
                    CommandResultQueued(commandId: command, result: "ACCEPTED", deliveryId: "d-\(command)"),
                ]
            )
        )
        byStream.append(
            (
                "delivery-d-\(command)",
                [
                    DeliveryScheduled(
                        deliveryId: "d-\(command)",
                        kind: .commandResult,
                        target: "response_url:\(command)",
                        method: "POST",
                        url: "https://iop.example.net/r/\(command)",
                        body: #"{"result":"ACCEPTED"}"#,
                        commandId: command
                    ),
                    DeliveryAttempted(deliveryId: "d-\(command)", attempt: 1, httpStatus: 200, ocpiStatus: 1000),
                    DeliverySucceeded(deliveryId: "d-\(command)"),
                ]
            )
        )
        byStream.append(
            (
                StreamID.session(session),
                [
                    SessionStarted(
                        sessionId: session,
                        chargePointId: chargePoint,
                        connectorId: 1,
                        transactionId: TransactionId(ocpp16: charge),
                        idTag: "TOKEN-\(charge % 5000)",
                        locationId: "LOC-1",
                        evseUid: evse,
                        authId: "FR*XYZ*C\(charge % 5000)",
                        authMethod: "AUTH_REQUEST",
                        startedAt: at(40),
                        meterStartWh: 1000,
                        currency: "EUR",
                        authorizationId: authorization,
                        commandId: command
                    ),
                    AuthorizationBound(
                        sessionId: session,
                        authorizationId: authorization,
                        commandId: command,
                        matchedOn: ["id_tag", "connector", "window"],
                        deltaMs: 40_000,
                        candidates: 1
                    ),
                    MeterValuesRecorded(sessionId: session, measuredAt: at(340), meterWh: 3000),
                    MeterValuesRecorded(sessionId: session, measuredAt: at(640), meterWh: 5000),
                    MeterValuesRecorded(sessionId: session, measuredAt: at(940), meterWh: 7000),
                    SessionEnded(sessionId: session, endedAt: at(1000), meterStopWh: 7500, reason: "Remote"),
                ]
            )
        )
        byStream.append(
            (
                StreamID.command(stop),
                [
                    CommandReceived(
                        commandId: stop,
                        command: "STOP_SESSION",
                        body: #"{"session_id":"\#(session)"}"#,
                        bodyHash: "s\(charge)",
                        sessionId: session
                    ),
                    CommandAnswered(commandId: stop, statusCode: 1000, result: "ACCEPTED"),
                ]
            )
        )
        byStream.append(
            (
                "cdr-\(cdr)",
                [
                    CdrIssued(
                        cdrId: cdr,
                        sessionId: session,
                        authorizationId: authorization,
                        authId: "FR*XYZ*C\(charge % 5000)",
                        authMethod: "AUTH_REQUEST",
                        locationId: "LOC-1",
                        evseUid: evse,
                        currency: "EUR",
                        startDateTime: at(40),
                        stopDateTime: at(1000),
                        totalEnergy: 6.5,
                        totalTime: 0.2667,
                        totalCost: 2.6,
                        chargingPeriods: [ChargingPeriod(startDateTime: at(40), dimensions: [CdrDimension(type: "ENERGY", volume: 6.5)])]
                    )
                ]
            )
        )
        byStream.append(
            (
                "delivery-d-\(cdr)",
                [
                    DeliveryScheduled(
                        deliveryId: "d-\(cdr)",
                        kind: .cdr,
                        target: "session:\(session)",
                        method: "POST",
                        url: "https://iop.example.net/cdrs",
                        body: "{}",
                        sessionId: session,
                        cdrId: cdr
                    ),
                    DeliverySucceeded(deliveryId: "d-\(cdr)"),
                ]
            )
        )
        time = time.adding(milliseconds: 7_000)
        var requests: [AppendRequest] = []
        for (stream, payloads) in byStream {
            let events = try payloads.map { try Self.encode($0) }
            count += events.count
            requests.append(AppendRequest(streamId: stream, expectedVersion: .any, events: events))
        }
        return requests
    }

    private static func encode<P: DomainEventPayload>(_ payload: P) throws -> NewEvent {
        try EventCoding.newEvent(payload, metadata: EventMetadata(source: "bench"))
    }
}

/// User and system time of this process, all threads: what a replay costs, whatever the
/// machine's other load does to its wall time.
enum ProcessorTime {
    static var seconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// Peak resident set size of this process.
enum PeakMemory {
    static var megabytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024  // kilobytes on Linux
    }
}
