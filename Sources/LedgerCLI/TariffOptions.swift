import API
import ArgumentParser
import Foundation
import Ledger

/// `serve`'s tariffs: the file published at start-up, and whether the IOP is sent each new version.
struct TariffOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "JSON array of OCPI 2.1.1 Tariffs; the connectors' tariff_id must name them. New or changed ones are recorded (and pushed), missing ones withdrawn (LEDGER_TARIFFS).",
            valueName: "file"
        )
    )
    var tariffs: String = environment("TARIFFS") ?? "examples/tariffs.json"

    @OptionGroup var push: TariffPushOptions

    var publication: TariffPublication { TariffPublication(file: tariffs, push: push) }
}

/// Whether and where new tariff versions are PUT, and who this CPO is: shared by `serve` and
/// `tariffs publish`, which both put tariffs in the outbox.
struct TariffPushOptions: ParsableArguments {
    @Option(
        help:
            "PUT each new tariff version to the IOP (with --iop-url). Turn off when the tariffs are in the roaming contract instead (LEDGER_PUSH_TARIFFS)."
    )
    var pushTariffs: Bool = environment("PUSH_TARIFFS").map { $0 != "false" } ?? true

    @OptionGroup var party: PartyOptions

    /// Where tariffs are PUT on `store`'s ledger (`PartyOptions.endpoint(on:)`); `nil` when not pushing.
    func endpoint(on store: any ProjectionStore) async throws -> IOPEndpoint? {
        pushTariffs ? try await party.endpoint(on: store) : nil
    }
}

/// One tariffs file to check and record.
struct TariffPublication {
    let file: String
    let push: TariffPushOptions

    /// The file, checked on its own and against the locations; every problem is reported at once
    /// through `failing`, and nothing is recorded.
    func catalog(checkedAgainst locations: LocationRegistry, failing: (String) -> Failure) throws -> TariffCatalog {
        let catalog: TariffCatalog
        do { catalog = try TariffCatalog(contentsOf: URL(fileURLWithPath: file)) } catch { throw failing("\(error)") }
        let problems = catalog.problems(with: locations)
        guard problems.isEmpty else { throw failing(RefusedFile(kind: "tariffs", file: file, problems: problems).description) }
        return catalog
    }

    /// Records what changed and says so on standard output.
    func publish(_ catalog: TariffCatalog, to store: any ProjectionStore) async throws {
        let outcome = try await TariffPublisher(store: store, push: try await push.endpoint(on: store)).publish(catalog)
        FileHandle.standardOutput.write(Data("\(outcome)\n".utf8))
    }
}
