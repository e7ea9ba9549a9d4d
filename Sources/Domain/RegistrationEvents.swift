import CanonicalCoding
import Ledger

/// A token this CPO made for the IOP's side of an OCPI credentials handshake, before it completes:
/// an invitation (`ledger credentials invite`: the IOP registers with it, TOKEN_A) or the token
/// offered in a registration the CPO starts (`ledger register`: TOKEN_B, which the IOP uses on
/// the versions endpoints while its answer is still open). Only its SHA-256 is kept: the token
/// itself was shown once to whoever made it and is in no event, log or page.
@Canonical
public struct CredentialsTokenIssued: DomainEventPayload {
    public static let eventType = "CredentialsTokenIssued"
    /// `invitation` or `offer`.
    public var purpose: String
    /// SHA-256 of the token, hex.
    public var tokenHash: String
    /// Who made it: the operator's command, e.g. `cli:credentials invite`.
    public var by: String
    /// The OCPI version an invitation registers on; absent: 2.1.1.
    public var version: String?

    public init(purpose: String, tokenHash: String, by: String, version: String? = nil) {
        self.purpose = purpose
        self.tokenHash = tokenHash
        self.by = by
        self.version = version
    }
}

/// The connection to the IOP, registered or updated (OCPI 2.1.1 credentials POST or PUT, in
/// either direction): which version, which endpoints, who the IOP is, and the two tokens —
/// the one the IOP presents as a hash, the one the ledger presents sealed (AES-GCM with the key
/// only the servers hold; docs/security.md). From here on, calls to the IOP use these endpoints
/// and this token, and the IOP is let in with the token the ledger gave, not with older ones.
@Canonical
public struct IOPRegistered: DomainEventPayload {
    public static let eventType = "IOPRegistered"
    /// `iop` (it POSTed or PUT its credentials to the ledger) or `cpo` (`ledger register`).
    public var initiatedBy: String
    /// `registration` or `update`.
    public var reason: String
    public var versionsUrl: String
    public var version: String
    /// The modules, as the IOP's version details listed them.
    public var endpoints: [ModuleEndpoint]
    public var countryCode: String
    public var partyId: String
    public var businessName: String
    /// SHA-256 (hex) of the token the IOP presents to the ledger.
    public var inboundTokenHash: String
    /// The token the ledger presents to the IOP, sealed (`SecretBox`); never in clear.
    public var outboundTokenSealed: String

    public init(
        initiatedBy: String,
        reason: String,
        versionsUrl: String,
        version: String,
        endpoints: [ModuleEndpoint],
        countryCode: String,
        partyId: String,
        businessName: String,
        inboundTokenHash: String,
        outboundTokenSealed: String
    ) {
        self.initiatedBy = initiatedBy
        self.reason = reason
        self.versionsUrl = versionsUrl
        self.version = version
        self.endpoints = endpoints
        self.countryCode = countryCode
        self.partyId = partyId
        self.businessName = businessName
        self.inboundTokenHash = inboundTokenHash
        self.outboundTokenSealed = outboundTokenSealed
    }
}

/// The connection ended (OCPI 2.1.1 credentials DELETE): its tokens are refused from here on,
/// and what waits for the IOP in the outbox is kept, not sent, until a new registration.
@Canonical
public struct IOPUnregistered: DomainEventPayload {
    public static let eventType = "IOPUnregistered"
    /// `iop` (it sent DELETE) or `cpo`.
    public var by: String

    public init(by: String) { self.by = by }
}

/// One module of an OCPI version's details: its identifier and URL.
@Canonical
public struct ModuleEndpoint: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    public var identifier: String
    public var url: String

    public init(identifier: String, url: String) {
        self.identifier = identifier
        self.url = url
    }
}
