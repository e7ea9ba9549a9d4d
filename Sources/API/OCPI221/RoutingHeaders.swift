import Domain
import HTTPTypes

/// OCPI 2.2.1's unique message ids and routing headers (spec digest §3.2, §3.3), read from a
/// request and written on its answer and on the ledger's own requests. Parties are written
/// `FR/ABC` (country code, party id) in events and settings.
enum RoutingHeaders {
    static let requestId = HTTPField.Name("X-Request-ID")!
    static let correlationId = HTTPField.Name("X-Correlation-ID")!
    static let fromCountry = HTTPField.Name("OCPI-from-country-code")!
    static let fromParty = HTTPField.Name("OCPI-from-party-id")!
    static let toCountry = HTTPField.Name("OCPI-to-country-code")!
    static let toParty = HTTPField.Name("OCPI-to-party-id")!

    /// What a request carried of them; a party only when both its headers are there.
    static func received(_ headers: HTTPFields) -> OCPIExchange {
        OCPIExchange(
            requestId: headers[requestId],
            correlationId: headers[correlationId],
            from: party(headers[fromCountry], headers[fromParty]),
            to: party(headers[toCountry], headers[toParty])
        )
    }

    /// The headers of the answer to `request`: both ids echoed, the routing swapped — from this
    /// CPO (`ours`, or whom the request addressed) to whoever sent it (`routing` false: ids only).
    static func answering(_ request: OCPIExchange, ours: String, routing: Bool = true) -> HTTPFields {
        var fields = HTTPFields()
        if let id = request.requestId { fields[requestId] = id }
        if let id = request.correlationId { fields[correlationId] = id }
        guard routing else { return fields }
        set(&fields, request.to ?? ours, country: fromCountry, party: fromParty)
        if let caller = request.from { set(&fields, caller, country: toCountry, party: toParty) }
        return fields
    }

    /// The headers of a request the ledger sends: its `X-Request-ID`, then what was recorded with
    /// the delivery (correlation id, from, to).
    static func sending(_ exchange: OCPIExchange, requestId id: String) -> [(String, String)] {
        var fields = [(requestId.rawName, id)]
        if let correlation = exchange.correlationId { fields.append((correlationId.rawName, correlation)) }
        for (party, country, partyName) in [(exchange.from, fromCountry, fromParty), (exchange.to, toCountry, toParty)] {
            guard let party, let (code, id) = split(party) else { continue }
            fields += [(country.rawName, code), (partyName.rawName, id)]
        }
        return fields
    }

    private static func set(_ fields: inout HTTPFields, _ party: String, country: HTTPField.Name, party partyName: HTTPField.Name) {
        guard let (code, id) = split(party) else { return }
        fields[country] = code
        fields[partyName] = id
    }

    private static func party(_ country: String?, _ party: String?) -> String? {
        guard let country, let party, !country.isEmpty, !party.isEmpty else { return nil }
        return "\(country)/\(party)"
    }

    static func split(_ party: String) -> (String, String)? {
        let parts = party.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
}
