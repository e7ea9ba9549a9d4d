import API
import ArgumentParser
import Logging

@main
struct LedgerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-bench",
        abstract: "Benchmarks for chargeledger, each against a baseline measured in the same run.",
        discussion: "Build with -c release: `swift run -c release ledger-bench append`. Run twice; machines are noisy.",
        subcommands: [
            AppendBenchmark.self, ReplayBenchmark.self, IngestBenchmark.self, DeliveryBenchmark.self, StoresBenchmark.self, ChargersBenchmark.self,
            OCPPCeilingServer.self,
        ]
    )

    /// Every command logs through `LedgerLogHandler`, bootstrapped once, before any logger exists.
    static func main() async {
        LoggingSystem.bootstrap(LedgerLogHandler.standardError)
        await main(nil)
    }
}
