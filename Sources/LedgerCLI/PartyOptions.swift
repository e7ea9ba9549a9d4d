import API
import ArgumentParser

/// Who this CPO is towards the IOP, and where the IOP takes what is pushed to it: shared by
/// `serve` and `tariffs publish`, which both put things in the outbox.
struct PartyOptions: ParsableArguments {
    @Option(help: "This CPO's OCPI country code (LEDGER_COUNTRY_CODE).")
    var countryCode: String = environment("COUNTRY_CODE") ?? "FR"

    @Option(help: "This CPO's OCPI party id (LEDGER_PARTY_ID).")
    var partyId: String = environment("PARTY_ID") ?? "ABC"

    @Option(
        help:
            "The IOP's eMSP-side base URL, e.g. https://iop.example.net/ocpi/emsp/2.1.1: Sessions, CDRs, Tariffs and RFID authorizations go under it; without it nothing is pushed (LEDGER_IOP_URL)."
    )
    var iopURL: String?

    /// Where pushes go; `nil` without an IOP.
    var iop: TransactionService.IOPEndpoint? {
        (iopURL ?? environment("IOP_URL")).map { TransactionService.IOPEndpoint(url: $0, countryCode: countryCode, partyId: partyId) }
    }
}
