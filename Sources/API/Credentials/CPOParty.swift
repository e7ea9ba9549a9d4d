/// This CPO as OCPI names it: the country code and party id in push URLs and credentials, and the
/// business name its credentials carry (Gireve: one handshake per CPO operation).
public struct CPOParty: Sendable, Equatable {
    public var countryCode: String
    public var partyId: String
    public var businessName: String

    public init(countryCode: String = "FR", partyId: String = "ABC", businessName: String = "chargeledger CPO") {
        self.countryCode = countryCode
        self.partyId = partyId
        self.businessName = businessName
    }

    /// Our credentials with `token`, advertising `versionsURL`.
    func credentials(token: String, versionsURL: String) -> Credentials {
        Credentials(token: token, url: versionsURL, partyId: partyId, countryCode: countryCode, businessName: businessName)
    }
}
