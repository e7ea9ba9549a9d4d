import API
import ArgumentParser
import Foundation
import NIOPosix
import Simulation

/// N chargers over real WebSockets against `ledger serve` child processes (the lean swarm of
/// `Sources/Simulation/Swarm`): all connect and boot at once; with `--storm` the servers are
/// then restarted and every charger reconnects at once; with `--transactions` all start a
/// transaction at once, send meter values at a steady rate, and all stop at once. Per phase:
/// each action's answer latency (p50/p99/max), when the last charger was done, errors, and the
/// servers' CPU-seconds and memory.
struct ChargersBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chargers",
        abstract: "N chargers over WebSockets: boot storm, reconnect storm, transactions; latencies, server CPU and RSS.",
        discussion: """
            Run from the repository (the servers are `ledger serve`, built beside ledger-bench, on the \
            examples' tariff). Each charger holds a socket in this process and one in a server: both \
            raise their open-file soft limit to the hard one, which must exceed N + 64 (`ulimit -Hn`). \
            On PostgreSQL (--db postgres://…) the chargers are \
            spread over --instances servers on that one ledger; on SQLite one server owns the file.
            """
    )

    @Option(help: "Simulated chargers.")
    var chargers = 1000

    @Flag(help: "Restart the servers after the first boot and measure every charger reconnecting at once.")
    var storm = false

    @Flag(help: "Start a transaction on every charger at once, send meter values, stop them all at once.")
    var transactions = false

    @Option(help: "Seconds between a charger's meter values (the steady rate is chargers / interval).")
    var meterInterval = 15

    @Option(help: "Meter values each charger sends per transaction.")
    var meterRounds = 2

    @Option(help: "Every K-th charger is an OCPP 2.0.1 station (0: all speak 1.6J).")
    var v201Every = 0

    @Option(help: "The ledger: a PostgreSQL URL whose database the benchmark may fill; default a SQLite file in a scratch directory.")
    var db: String?

    @Option(help: "Servers sharing the ledger (PostgreSQL only).")
    var instances = 1

    enum Target: String, ExpressibleByArgument {
        case ledger, ceiling
    }

    @Option(
        help:
            "What the chargers talk to: ledger (`ledger serve`) or ceiling (the baseline: the same WebSocket stack answering constants, recording nothing)."
    )
    var against = Target.ledger

    @Option(help: "Client event-loop threads.")
    var clientThreads = 1

    func validate() throws {
        guard chargers > 0, meterInterval > 0, meterRounds > 0, instances > 0 else { throw ValidationError("counts and intervals must be positive") }
        guard instances == 1 || db?.hasPrefix("postgres") == true else {
            throw ValidationError("several instances share a ledger on PostgreSQL only: give --db postgres://…")
        }
    }

    func run() async throws {
        let files = FileLimit.raise()
        guard files > chargers + 64 else {
            throw BenchmarkError("this process may open \(files) files, too few for \(chargers) chargers: raise the hard limit (ulimit -Hn)")
        }
        let directory = try BenchmarkDirectory("chargers")
        defer { directory.remove() }
        try Swarm.locations(count: chargers, v201Every: v201Every).write(toFile: directory.path("locations.json"), atomically: true, encoding: .utf8)
        let arguments = [
            "--db", db ?? directory.path("ledger.sqlite"), "--locations", directory.path("locations.json"),
            "--tariffs", "examples/tariffs.json", "--token", "bench-token",
        ]
        var servers: [ServedLedger] = []
        defer { for server in servers where server.process.isRunning { server.process.terminate() } }
        for instance in 0..<instances {
            servers.append(
                try await ServedLedger(arguments: arguments, ceiling: against == .ceiling, logFile: directory.path("serve-\(instance).log"))
            )
        }
        // Not shut down: it lives as long as the benchmark process.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: clientThreads)
        let swarm = Swarm(
            endpoints: servers.map { Swarm.Endpoint(host: "127.0.0.1", port: $0.port) },
            count: chargers,
            v201Every: v201Every,
            group: group
        )
        print(
            "\(chargers) chargers (\(v201Every > 0 ? "every \(v201Every)th OCPP 2.0.1" : "OCPP 1.6J")) on \(instances) instance(s), \(against == .ceiling ? "constant answers (baseline)" : db == nil ? "SQLite" : "PostgreSQL"); \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Date())"
        )
        var report = PhaseReport(servers: servers)
        report.print(await swarm.connectAndBoot())
        if storm {
            for server in servers { await server.stop() }
            await swarm.dropConnections()
            var restarted: [ServedLedger] = []
            for server in servers { restarted.append(try await server.restarted()) }
            servers = restarted
            report = PhaseReport(servers: servers)
            report.print(await swarm.connectAndBoot(), as: "reconnect storm (servers restarted)")
        }
        if transactions {
            report.print(await swarm.startTransactions())
            report.print(await swarm.meterValues(rounds: meterRounds, interval: .seconds(meterInterval)))
            report.print(await swarm.stopTransactions(rounds: meterRounds))
        }
        // What the servers logged at error level: why a charger was answered InternalError.
        for server in servers {
            let log = (try? String(contentsOfFile: server.logFile, encoding: .utf8)) ?? ""
            for line in log.split(separator: "\n").filter({ $0.contains(" error ") || $0.contains(" critical ") }).prefix(5) {
                print("server: \(line.prefix(400))")
            }
        }
        let logBytes = servers.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.logFile)[.size] as? Int) ?? 0) }
        print("server log: \(logBytes / 1024) KiB; load generator: \(String(format: "%.2f", PhaseReport.ownCPUSeconds)) CPU-s")
        for server in servers { await server.stop() }
    }
}

/// Prints a phase: its latencies per action and what the servers spent on it.
struct PhaseReport {
    let servers: [ServedLedger]
    private var before: [ServedLedger.Usage]

    init(servers: [ServedLedger]) {
        self.servers = servers
        self.before = servers.map(\.usage)
    }

    mutating func print(_ phase: SwarmPhase, as name: String? = nil) {
        let after = servers.map(\.usage)
        let cpu = zip(before, after).reduce(0) { $0 + $1.1.cpuSeconds - $1.0.cpuSeconds }
        before = after
        var lines = [
            String(
                format: "%@: %d chargers, %.2f s%@; servers %.2f CPU-s, RSS %@ MiB (peak %@); %d errors",
                name ?? phase.name,
                phase.chargers,
                Self.seconds(phase.seconds),
                phase.lastDone.map { String(format: " (last done at %.2f s)", Self.seconds($0)) } ?? "",
                cpu,
                after.map { String(format: "%.0f", $0.rssMiB) }.joined(separator: "+"),
                after.map { String(format: "%.0f", $0.peakRSSMiB) }.joined(separator: "+"),
                phase.errors
            )
        ]
        for (action, samples) in phase.latencies.sorted(by: { $0.key < $1.key }) {
            let sorted = samples.sorted()
            func percentile(_ p: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6 }
            lines.append(
                String(
                    format: "  %@: n=%d p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    action,
                    sorted.count,
                    percentile(0.5),
                    percentile(0.99),
                    percentile(1)
                )
            )
        }
        lines += phase.firstErrors.map { "  error: \($0)" }
        Swift.print(lines.joined(separator: "\n"))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// This process's CPU-seconds (user + system): the load generator's cost, for comparison.
    static var ownCPUSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
