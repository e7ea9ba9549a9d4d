import API
import ArgumentParser
import Ledger

/// Who this CPO is towards the IOP, and where the IOP takes what is pushed to it: shared by
/// `serve`, `tariffs publish` and `register`.
struct PartyOptions: ParsableArguments {
    mutating func validate() throws {
        guard iopParty.split(separator: "/").count == 2 else {
            throw ValidationError("--iop-party must be COUNTRY/PARTY, e.g. FR/107 (got \(iopParty))")
        }
    }

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

    @Option(
        help:
            "The OCPI version --iop-url speaks: 2.1.1, or 2.2.1 (objects in 2.2.1 shapes, Base64 token, request ids and routing headers). A registration says it instead (LEDGER_IOP_VERSION)."
    )
    var iopVersion: OCPIVersion = environment("IOP_VERSION").flatMap(OCPIVersion.init(rawValue:)) ?? .v211

    @Option(
        help:
            "The IOP as an OCPI party, COUNTRY/PARTY: whom 2.2.1 requests are addressed to. Gireve: FR/107 pre-production, FR/007 production (LEDGER_IOP_PARTY)."
    )
    var iopParty: String = environment("IOP_PARTY") ?? IOPEndpoint.gireveHub

    var party: CPOParty { CPOParty(countryCode: countryCode, partyId: partyId, businessName: businessName) }

    /// Where pushes go; `nil` without an IOP.
    var iop: IOPEndpoint? {
        (iopURL ?? environment("IOP_URL")).map {
            IOPEndpoint(url: $0, countryCode: countryCode, partyId: partyId, version: iopVersion, hub: iopParty)
        }
    }

    /// Where pushes go on `store`'s ledger: the registered IOP's endpoints, else under `--iop-url`.
    func endpoint(on store: any ProjectionStore) async throws -> IOPEndpoint? {
        try await IOPLink(store: store, configured: iop, configuredToken: nil, countryCode: countryCode, partyId: partyId, secrets: nil).endpoint()
    }
}

extension OCPIVersion: ExpressibleByArgument {}
