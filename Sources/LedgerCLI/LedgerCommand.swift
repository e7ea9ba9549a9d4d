import API
import ArgumentParser
import Logging

@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "chargeledger: the append-only, tamper-evident command ledger of a Charge Point Operator.",
        discussion: """
            Every OCPI command, charger answer, timeout and delivery is an event in one SQLite file \
            (or a PostgreSQL database). \
            These commands read, import, check and audit that log.

            Exit codes: 0 success; 1 the command found a problem or refused its input (verify, \
            replay, import, migrate-to, deliveries, demo); 2 the ledger could not be opened or used; 3 the \
            server could not start (port in use, locations file) or stopped on an error; 64 the \
            command line is wrong.
            """,
        subcommands: [
            Serve.self, Events.self, Cdrs.self, Tariffs.self, Price.self, Import.self, Verify.self, Replay.self, Audit.self, Deliveries.self,
            Demo.self, ChargerKey.self, CredentialsCommand.self, Register.self,
            MigrateTo.self,
        ]
    )

    /// Every command logs through `LedgerLogHandler`, bootstrapped once, before any logger exists.
    static func main() async {
        LoggingSystem.bootstrap(LedgerLogHandler.standardError)
        await main(nil)
    }
}
