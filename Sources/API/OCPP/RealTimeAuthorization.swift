import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore
import NIOHTTP1

/// A local RFID swipe checked with the IOP in real time: `POST {iop}/tokens/{uid}/authorize`
/// with the EVSE (Gireve requires exactly one), answered by an OCPI AuthorizationInfo whose
/// `authorization_id` the session that follows inherits.
public protocol TokenAuthorizer: Sendable {
    /// The IOP's answer, or `nil` when it could not be reached or did not answer usably.
    func authorize(uid: String, locationId: String, evseUid: String) async -> (allowed: String, authorizationId: String?)?
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

    public func authorize(uid: String, locationId: String, evseUid: String) async -> (allowed: String, authorizationId: String?)? {
        guard let current = try? await link.current(), let tokens = current.endpoint?.module("tokens") else { return nil }
        let token = current.token
        let escaped = uid.addingPercentEncodingForPath()
        var request = HTTPClientRequest(url: "\(tokens)/\(escaped)/authorize?type=RFID")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Token \(token)") }
        let body = JSONValue.object(["location_id": .string(locationId), "evse_uids": .array([.string(evseUid)])])
        request.body = .bytes(ByteBuffer(string: body.canonicalText))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(Int(response.status.code)),
                let envelope = try? JSONValue(parsing: Array(buffer: bytes)),
                envelope["status_code"]?.int64Value.map({ (1000..<2000).contains($0) }) == true,
                let allowed = envelope["data"]?["allowed"]?.stringValue
            else { return nil }
            return (allowed, envelope["data"]?["authorization_id"]?.stringValue)
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
        return utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}
