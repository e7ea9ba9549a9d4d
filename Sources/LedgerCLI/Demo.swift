import API
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Ledger
import Logging
import NIOCore
import Projections
import Simulation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server on a temporary ledger through a scripted day, then show it on the ops page.",
        discussion: """
            In one process: `ledger serve` on a new ledger with examples/locations.json and tariffs.json, two simulated \
            chargers (OCPP 1.6J over WebSocket), a simulated OCPP 2.0.1 station and a simulated IOP. \
            The day: a remote start and stop, an RFID swipe authorized by the IOP, a charger that never \
            answers a START_SESSION (TIMEOUT), a charge during an IOP outage (its Sessions, CDR and \
            result delivered once the IOP is back), a remote start the 2.0.1 station proves with the \
            remoteStartId it echoes, and Gireve's "2 authorizations, 3 CDRs" dispute from its recorded log. \
            Then it prints the /ops/ page to open, and serves until Ctrl-C.
            """
    )

    @Option(help: "Port to serve on (0 picks a free one).")
    var port = 8080

    @Option(help: "Seconds a charger has to answer a command (the silent charger's TIMEOUT comes after this).")
    var commandTimeout = 3

    @Option(help: "The locations file (JSON array of OCPI Locations with their chargers).")
    var locations = "examples/locations.json"

    @Option(help: "The tariffs file its CDRs are priced with (JSON array of OCPI Tariffs).")
    var tariffs = "examples/tariffs.json"

    @Option(help: "The recorded dispute to import first; skipped when the file is not there.")
    var disputeLog = "Tests/ProjectionsTests/Golden/dispute_two_authorizations_three_cdrs.ndjson"

    @Flag(help: "Stop once the day has run (for scripts and tests) instead of serving until Ctrl-C.")
    var exit = false

    func run() async throws {
        ParentWatch.start()
        let directory = FileManager.default.temporaryDirectory.appending(path: "ledger-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if exit { try? FileManager.default.removeItem(at: directory) } }
        let path = directory.appending(path: "ledger.sqlite").path()
        var logger = Logger(label: "demo")
        logger.logLevel = .error
        let store = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        let disputed = try await importDispute(into: store)
        let iop = try await IOPSimulator.start(logger: logger)
        let endpoint = IOPEndpoint(url: iop.url, countryCode: "FR", partyId: "ABC")
        do { _ = try await TariffPublisher(store: store, push: endpoint).publish(try TariffCatalog(contentsOf: URL(fileURLWithPath: tariffs))) } catch
        {
            await store.close()
            await iop.stop()
            throw Failure.cannotServe("\(error)").report()
        }
        let opsToken = UUID().uuidString.lowercased()
        let server = LedgerServer(
            configuration: .init(
                host: "127.0.0.1",
                port: port,
                locations: try LocationRegistry(contentsOf: URL(fileURLWithPath: locations)),
                token: DemoDay.iopToken,
                iopToken: "demo-cpo-token",
                iop: endpoint,
                commandTimeout: .seconds(commandTimeout),
                offeredCommands: CommandType.gireve,
                opsToken: opsToken
            ),
            store: store,
            logger: logger
        )
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (stops, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        let exitWhenDone = exit
        let stopWhen: (@Sendable () async -> Void)? = if exitWhenDone { { for await _ in stops { return } } } else { nil }
        let serving = Task {
            // A server that cannot start (its port taken) ends here, and the wait for its port with it.
            defer { portContinuation.finish() }
            try await server.run(onRunning: { portContinuation.yield($0) }, stopWhen: stopWhen)
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            await store.close()
            await iop.stop()
            try? FileManager.default.removeItem(at: directory)
            let error: (any Error)? = if case .failure(let error) = await serving.result { error } else { nil }
            if let error, Serve.isAddressInUse(error) {
                throw Failure.cannotServe("port \(port) is in use: stop what holds it, or choose another with --port (0 picks a free one)").report()
            }
            throw Failure.cannotServe("the demo's server did not start: \(error.map { "\($0)" } ?? "no reason given")").report()
        }
        say("ledger serving on http://127.0.0.1:\(bound) (database \(path))")

        let day = DemoDay(port: bound, store: store, iop: iop, commandTimeout: commandTimeout, logger: logger)
        var failure: (any Error)?
        do {
            try await day.run()
            try await day.summarize(verifyingIn: directory)
        } catch {
            failure = error
            say("the demo day stopped: \(error)")
        }
        if exitWhenDone {
            stopContinuation.yield()
            try await serving.value
            await store.close()
            await iop.stop()
            say(failure == nil ? "the day ran; the server stopped and its temporary ledger is removed" : "the server stopped")
            if failure != nil { throw ExitCode(1) }
            return
        }
        say(
            """

            Open http://127.0.0.1:\(bound)/ops/ and log in with your name and the ops token \(opsToken)
            """
        )
        if let disputed {
            say("Gireve's dispute: http://127.0.0.1:\(bound)/ops/timeline?authorization_id=\(disputed)")
        }
        say("Serving until Ctrl-C; the ledger stays in \(directory.path()).")
        try await serving.value
        await store.close()
        await iop.stop()
    }

    /// Imports the recorded dispute into the new ledger; returns its first authorization.
    private func importDispute(into store: SQLiteEventStore) async throws -> String? {
        let url = URL(fileURLWithPath: disputeLog)
        guard FileManager.default.fileExists(atPath: url.path()) else {
            say("(no \(disputeLog) here: the dispute is left out; run from the repository's root to include it)")
            return nil
        }
        let summary = try await LogImport.run(contentsOf: url, into: store)
        say("imported Gireve's \"2 authorizations, 3 CDRs\" dispute as recorded: \(summary.events) events")
        // The authorization the dispute is about: the one linked to several CDRs.
        return try await store.read(Anomaly.first(.authorizationWithSeveralCdrs))?.authorizationId
    }
}

/// One line of the demo's story, written at once: `print` buffers when standard output is a pipe,
/// and a script or `tee` reading the day saw nothing until the process ended.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
