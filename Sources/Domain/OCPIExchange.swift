import CanonicalCoding
import Ledger

/// Who an OCPI 2.2.1 request was from and for, and the ids that name it (OCPI 2.2.1
/// `transport_and_format` › Unique message IDs, Message Routing Headers): the evidence a dispute
/// quotes ("your X-Request-ID 4f1e… was answered ACCEPTED"). Kept as received or as sent; any of
/// them may be absent when the peer left it out. OCPI 2.1.1 has none of these headers.
@Canonical
public struct OCPIExchange: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    /// `X-Request-ID`: one per hop.
    public var requestId: String?
    /// `X-Correlation-ID`: the same for every request that follows from a first one.
    public var correlationId: String?
    /// `OCPI-from-country-code` and `OCPI-from-party-id`, as `FR/107`.
    public var from: String?
    /// `OCPI-to-country-code` and `OCPI-to-party-id`, as `FR/ABC`.
    public var to: String?

    public init(requestId: String? = nil, correlationId: String? = nil, from: String? = nil, to: String? = nil) {
        self.requestId = requestId
        self.correlationId = correlationId
        self.from = from
        self.to = to
    }
}

/// The token a session is charged to, as the command or authorization that started it named it
/// (OCPI 2.2.1 `CdrToken`): frozen at the start, rendered in every Session and CDR of it. OCPI
/// 2.1.1 carries only the contract id (`auth_id`) and the uid, so sessions started over 2.1.1
/// have none.
@Canonical
public struct TokenSnapshot: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    /// The eMSP that issued the token.
    public var countryCode: String
    public var partyId: String
    public var uid: String
    /// `AD_HOC_USER`, `APP_USER`, `OTHER` or `RFID`.
    public var type: String
    public var contractId: String

    public init(countryCode: String, partyId: String, uid: String, type: String, contractId: String) {
        self.countryCode = countryCode
        self.partyId = partyId
        self.uid = uid
        self.type = type
        self.contractId = contractId
    }
}
