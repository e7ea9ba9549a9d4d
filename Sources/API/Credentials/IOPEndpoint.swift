/// Where the IOP takes what the ledger pushes, and who this CPO is in those URLs: the modules of
/// the IOP's eMSP side by identifier (`sessions`, `cdrs`, `tariffs`, `locations`, `tokens`).
///
/// Two sources: the URLs a registration discovered (`IOPRegistered.endpoints`), or, without
/// registration, one base URL (`--iop-url`) under which every module is assumed to sit.
public struct IOPEndpoint: Sendable, Equatable {
    public let countryCode: String
    public let partyId: String
    /// A URL of the IOP: its host is one the ledger sends its token to.
    public let url: String
    let modules: [String: String]
    /// The OCPI version the IOP takes pushes in: how objects are written and the token presented.
    public let version: OCPIVersion
    /// The IOP as an OCPI party (`FR/107` pre-production, `FR/007` production): whom every 2.2.1
    /// request is addressed to (Gireve's rule, spec digest §3.3 C2).
    public let hub: String

    /// Every module under `url` (`{url}/sessions`, …): how `--iop-url` has always been read.
    public init(url: String, countryCode: String, partyId: String, version: OCPIVersion = .v211, hub: String = IOPEndpoint.gireveHub) {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.init(
            url: base,
            modules: Dictionary(uniqueKeysWithValues: ["cdrs", "locations", "sessions", "tariffs", "tokens"].map { ($0, "\(base)/\($0)") }),
            countryCode: countryCode,
            partyId: partyId,
            version: version,
            hub: hub
        )
    }

    /// The modules a registration discovered.
    public init(
        url: String,
        modules: [String: String],
        countryCode: String,
        partyId: String,
        version: OCPIVersion = .v211,
        hub: String = IOPEndpoint.gireveHub
    ) {
        self.url = url
        self.modules = modules.mapValues { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.countryCode = countryCode
        self.partyId = partyId
        self.version = version
        self.hub = hub
    }

    /// Gireve's pre-production IOP, where onboarding starts (production is `FR/007`).
    public static let gireveHub = "FR/107"

    /// This CPO as a party: `FR/ABC`.
    public var party: String { "\(countryCode)/\(partyId)" }

    /// A module's URL, `nil` when the IOP does not offer it (then nothing is pushed to it).
    public func module(_ identifier: String) -> String? { modules[identifier] }

    /// `{sessions}/{cc}/{party}/{id}`: a Session PUT or PATCH.
    func session(_ id: String) -> String? { clientOwned("sessions", id) }
    /// `{tariffs}/{cc}/{party}/{id}`: a Tariff PUT.
    func tariff(_ id: String) -> String? { clientOwned("tariffs", id) }
    /// `{locations}/{cc}/{party}/{location}`: a Location PUT.
    func location(_ id: String) -> String? { clientOwned("locations", id) }
    /// `{locations}/{cc}/{party}/{location}/{evse_uid}`: an EVSE PATCH.
    func evse(location: String, uid: String) -> String? { clientOwned("locations", location, uid) }

    /// A CPO-owned object on the IOP: the module's URL, then this CPO's country code and party id,
    /// then the object's ids (OCPI 2.1.1 "client owned object push").
    private func clientOwned(_ identifier: String, _ ids: String...) -> String? {
        module(identifier).map { ([$0, countryCode, partyId] + ids).joined(separator: "/") }
    }

    /// Every host the ledger sends its token to on this IOP.
    var hosts: [String] { ([url] + modules.values.sorted()).compactMap { try? OutboundURL($0).host } }
}
