import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import NIOCore
import NIOHTTP1

/// A local RFID swipe checked with the IOP in real time: `POST {iop}/tokens/{uid}/authorize`
/// with the EVSE (Gireve requires exactly one), answered by an OCPI AuthorizationInfo whose
/// authorization reference (`authorization_id` in 2.1.1, `authorization_reference` in 2.2.1) the
/// session that follows inherits.
public protocol TokenAuthorizer: Sendable {
    /// The IOP's answer, or `nil` when it could not be reached or did not answer usably.
    func authorize(uid: String, locationId: String, evseUid: String) async -> TokenAuthorization?
}

/// What the IOP answered for a swipe.
public struct TokenAuthorization: Sendable, Equatable {
    /// OCPI `allowed`.
    public var allowed: String
    public var authorizationId: String?
    /// The token as a 2.2.1 AuthorizationInfo describes it (its `token`, required there).
    public var token: TokenSnapshot?
}

/// The IOP's `tokens` module and token come from the connection at the time of the swipe (`IOPLink`).
public struct HTTPTokenAuthorizer: TokenAuthorizer {
    let client: HTTPClient
    let link: IOPLink
    /// A driver is waiting at the charger: a real-time answer must be quick or not at all.
    let timeout: TimeAmount

    public init(client: HTTPClient, link: IOPLink, timeout: TimeAmount = .seconds(5)) {
        self.client = client
        self.link = link
        self.timeout = timeout
    }

    /// On a 2.2.1 link the request carries the Base64 token, its ids and the routing headers
    /// (from this CPO to the IOP), and an AuthorizationInfo without its required `token` is no
    /// usable answer (spec digest X2-22: the fallback decides, and by default nothing starts).
    public func authorize(uid: String, locationId: String, evseUid: String) async -> TokenAuthorization? {
        guard let current = try? await link.current(), let endpoint = current.endpoint, let tokens = endpoint.module("tokens") else { return nil }
        let escaped = uid.addingPercentEncodingForPath()
        var request = HTTPClientRequest(url: "\(tokens)/\(escaped)/authorize?type=RFID")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.addOCPIHeaders(
            token: current.token,
            version: endpoint.version,
            exchange: endpoint.outbound(correlationId: nil),
            requestId: UUID().uuidString.lowercased()
        )
        let body = JSONValue.object(["location_id": .string(locationId), "evse_uids": .array([.string(evseUid)])])
        request.body = .bytes(ByteBuffer(string: body.canonicalText))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(Int(response.status.code)),
                let envelope = try? JSONValue(parsing: Array(buffer: bytes)),
                envelope["status_code"]?.int64Value.map({ (1000..<2000).contains($0) }) == true,
                let data = envelope["data"], let allowed = data["allowed"]?.stringValue
            else { return nil }
            guard endpoint.version == .v221 else {
                return TokenAuthorization(allowed: allowed, authorizationId: data["authorization_id"]?.stringValue)
            }
            guard let token = TokenSnapshot(token: data["token"]) else { return nil }
            return TokenAuthorization(allowed: allowed, authorizationId: data["authorization_reference"]?.stringValue, token: token)
        } catch {
            return nil
        }
    }
}

extension String {
    /// A token uid as one URL path segment.
    func addingPercentEncodingForPath() -> String {
        var allowed: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        allowed.remove(UInt8(ascii: "/"))
        return utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : "%" + [$0].upperHexString }.joined()
    }
}
