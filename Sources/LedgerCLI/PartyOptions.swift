import API
import ArgumentParser
import Ledger

/// Who this CPO is towards the IOP, and where the IOP takes what is pushed to it: shared by
/// `serve`, `tariffs publish` and `register`.
struct PartyOptions: ParsableArguments {
    @Option(help: "This CPO's OCPI country code (LEDGER_COUNTRY_CODE).")
    var countryCode: String = environment("COUNTRY_CODE") ?? "FR"

    @Option(help: "This CPO's OCPI party id (LEDGER_PARTY_ID).")
    var partyId: String = environment("PARTY_ID") ?? "ABC"

    @Option(help: "This CPO's business name, in the credentials it gives the IOP (LEDGER_BUSINESS_NAME).")
    var businessName: String = environment("BUSINESS_NAME") ?? "chargeledger CPO"

    @Option(
        help:
            "The IOP's eMSP-side base URL, e.g. https://iop.example.net/ocpi/emsp/2.1.1: Sessions, CDRs, Tariffs and RFID authorizations go under it; without it nothing is pushed (LEDGER_IOP_URL)."
    )
    var iopURL: String?

    var party: CPOParty { CPOParty(countryCode: countryCode, partyId: partyId, businessName: businessName) }

    /// Where pushes go; `nil` without an IOP.
    var iop: IOPEndpoint? {
        (iopURL ?? environment("IOP_URL")).map { IOPEndpoint(url: $0, countryCode: countryCode, partyId: partyId) }
    }

    /// Where pushes go on `store`'s ledger: the registered IOP's endpoints, else under `--iop-url`.
    func endpoint(on store: any ProjectionStore) async throws -> IOPEndpoint? {
        try await IOPLink(store: store, configured: iop, configuredToken: nil, countryCode: countryCode, partyId: partyId, secrets: nil).endpoint()
    }
}
