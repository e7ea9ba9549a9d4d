import AsyncHTTPClient
import Domain
import Foundation
import NIOHTTP1

extension HTTPClientRequest {
    /// What every OCPI call the ledger makes carries, in one place: its token in the form `version`
    /// presents it (2.2.1: Base64 of the token, no trailing newline — spec digest §3.1, C6), and on
    /// 2.2.1 the request's `X-Request-ID` with `exchange`'s correlation id and parties.
    mutating func addOCPIHeaders(token: String?, version: OCPIVersion, exchange: OCPIExchange = OCPIExchange(), requestId: String? = nil) {
        if let token { headers.add(name: "Authorization", value: "Token \(version == .v221 ? Data(token.utf8).base64EncodedString() : token)") }
        guard version == .v221, let requestId else { return }
        for (name, value) in RoutingHeaders.sending(exchange, requestId: requestId) { headers.add(name: name, value: value) }
    }
}
