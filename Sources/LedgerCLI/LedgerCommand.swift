import ArgumentParser

@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "chargeledger: the append-only, tamper-evident command ledger of a Charge Point Operator.",
        discussion: """
            Every OCPI command, charger answer, timeout and delivery is an event in one SQLite file \
            (or a PostgreSQL database). \
            These commands read, import, check and audit that log.

            Exit codes: 0 success, 1 a check found a problem, 2 the database could not be used.
            """,
        subcommands: [Serve.self, Events.self, Cdrs.self, Import.self, Verify.self, Replay.self, Audit.self, Demo.self, ChargerKey.self, MigrateTo.self]
    )
}
