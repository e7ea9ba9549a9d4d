import API
import ArgumentParser
import Foundation
import Ledger
import Logging
import Projections
import Simulation

/// Sessions end to end: OCPP transactions from simulated chargers (`SimulatedCharger`, over a
/// real WebSocket) through the ledger to a loopback IOP stand-in, counted when the IOP has the CDR.
/// Then the same with the IOP down, and the drain rate once it is back (retry backoff included).
struct DeliveryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Sessions/s delivered end to end (PUT, PATCH, CDR) and the backlog drain rate after an IOP outage."
    )

    @Option(help: "Simulated chargers, each running its sessions one after another.")
    var chargers = 8

    @Option(help: "Sessions in the throughput run (and again in the outage run).")
    var sessions = 400

    func run() async throws {
        let directory = try BenchmarkDirectory("deliveries")
        defer { directory.remove() }
        let logger = {
            var logger = Logger(label: "bench")
            logger.logLevel = .critical
            return logger
        }()
        let iop = try await IOPSimulator.start(logger: logger)
        let store = try SQLiteEventStore(path: directory.path("ledger.sqlite"), readModels: ProjectionEngine())
        let locations = try LocationRegistry(json: Array(Self.locations(chargers).utf8))
        let server = LedgerServer(
            configuration: .init(
                host: "127.0.0.1",
                port: 0,
                locations: locations,
                token: "bench",
                iopToken: "bench",
                iop: .init(url: iop.url, countryCode: "FR", partyId: "ABC"),
                commandTimeout: .seconds(30),
                offeredCommands: CommandType.gireve
            ),
            store: store,
            logger: logger
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (stops, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        let serving = Task { try await server.run(onRunning: { portContinuation.yield($0) }, stopWhen: { for await _ in stops { return } }) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("the server did not start") }

        let start = ContinuousClock.now
        try await drive(port: port, sessions: sessions, logger: logger)
        await iop.waitForCDRs(sessions)
        let seconds = (ContinuousClock.now - start).seconds
        print(
            String(
                format: "throughput: %d sessions (%d chargers) delivered in %.2f s: %.1f sessions/s end to end",
                sessions,
                chargers,
                seconds,
                Double(sessions) / seconds
            )
        )

        iop.setDown(true)
        try await drive(port: port, sessions: sessions, logger: logger)
        let back = ContinuousClock.now
        iop.setDown(false)
        await iop.waitForCDRs(2 * sessions)
        let drain = (ContinuousClock.now - back).seconds
        print(
            String(
                format:
                    "backlog: %d sessions completed during the outage, all delivered %.2f s after the IOP came back: %.1f sessions/s (retry backoff included)",
                sessions,
                drain,
                Double(sessions) / drain
            )
        )
        stopContinuation.yield()
        try await serving.value
        await store.close()
        await iop.stop()
    }

    /// `sessions` transactions spread over the chargers, each StartTransaction then StopTransaction.
    private func drive(port: Int, sessions: Int, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for charger in 0..<chargers {
                let count = sessions / chargers + (charger < sessions % chargers ? 1 : 0)
                group.addTask {
                    try await SimulatedCharger.run(url: "ws://127.0.0.1:\(port)/ocpp/CP-\(charger)", logger: logger) { client in
                        for _ in 0..<count {
                            let now = Timestamp(Date()).ocpiDateTime
                            let started = try await client.call(
                                "StartTransaction",
                                [
                                    "connectorId": .number("1"), "idTag": .string("TAG-\(charger)"), "meterStart": .number("0"),
                                    "timestamp": .string(now),
                                ]
                            )
                            guard let transactionId = started["transactionId"]?.int64Value else { throw BenchmarkError("no transaction id") }
                            _ = try await client.call(
                                "StopTransaction",
                                [
                                    "transactionId": .number(String(transactionId)), "meterStop": .number("7300"),
                                    "timestamp": .string(Timestamp(Date()).ocpiDateTime),
                                ]
                            )
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func locations(_ chargers: Int) -> String {
        let evses = (0..<chargers).map {
            #"{"uid":"EVSE-\#($0)","capabilities":["REMOTE_START_STOP_CAPABLE"],"ocpp":{"charge_point_id":"CP-\#($0)","connector_id":1}}"#
        }
        return #"[{"id":"LOC-1","evses":[\#(evses.joined(separator: ","))]}]"#
    }
}
