import API
import ArgumentParser
import Foundation
import Ledger

struct Tariffs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the CPO's tariffs to the ledger.",
        subcommands: [Publish.self]
    )

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record each new or changed tariff of a file (and queue its PUT to the IOP); withdraw those it no longer holds.",
            discussion: """
                Works on a running or a stopped ledger: a running server prices the sessions that \
                start afterwards with the new versions; sessions already running keep the version \
                they started with. A tariff left unchanged records nothing. The file is checked \
                first (and against --locations): with any problem, nothing is recorded.
                """
        )

        @Argument(help: ArgumentHelp("JSON array of OCPI 2.1.1 Tariffs.", valueName: "file"))
        var file: String

        @OptionGroup var database: DatabaseOptions

        @Option(help: ArgumentHelp("The locations file whose connectors' tariff_id must be defined (LEDGER_LOCATIONS).", valueName: "file"))
        var locations: String = environment("LOCATIONS") ?? "examples/locations.json"

        @OptionGroup var push: TariffPushOptions

        func run() async throws {
            try await reportingFailures {
                let registry: LocationRegistry
                do { registry = try LocationRegistry(contentsOf: URL(fileURLWithPath: locations)) } catch {
                    throw Failure.refused("\(error)")
                }
                let publication = TariffPublication(file: file, push: push)
                let catalog = try publication.catalog(checkedAgainst: registry, failing: Failure.refused)
                let store = try await database.openProjectionStore(folding: true)
                do { try await publication.publish(catalog, to: store) } catch {
                    await store.close()
                    throw Failure.unusableDatabase("cannot record the tariffs: \(error)")
                }
                await store.close()
            }
        }
    }
}
