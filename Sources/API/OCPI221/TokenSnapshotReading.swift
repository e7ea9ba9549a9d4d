import Domain
import Ledger

extension TokenSnapshot {
    /// The `CdrToken` part of an OCPI 2.2.1 Token as received, read leniently (what a StartSession
    /// or an AuthorizationInfo carried); `nil` unless all five members are strings.
    init?(token json: JSONValue?) {
        guard let json, let country = json["country_code"]?.stringValue, let party = json["party_id"]?.stringValue,
            let uid = json["uid"]?.stringValue, let type = json["type"]?.stringValue, let contract = json["contract_id"]?.stringValue
        else { return nil }
        self.init(countryCode: country, partyId: party, uid: uid, type: type, contractId: contract)
    }
}
