import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Deliveries over HTTP with async-http-client: `Authorization: Token <iop-token>`, a JSON body,
/// and a timeout on every request. A URL the policy refuses — one the client cannot take, or a
/// host the token must not reach — is parked at once, never attempted: a delivery an older ledger
/// (or an older binary's checks) let into the outbox cannot crash the process or loop for ever.
public struct HTTPDeliveryTransport: DeliveryTransport {
    let client: HTTPClient
    let token: String?
    let policy: ResponseURLPolicy
    let timeout: TimeAmount

    public init(client: HTTPClient, token: String?, policy: ResponseURLPolicy, timeout: TimeAmount = .seconds(15)) {
        self.client = client
        self.token = token
        self.policy = policy
        self.timeout = timeout
    }

    public func deliver(method: String, url: String, body: String) async -> DeliveryOutcome {
        do { _ = try policy.check(url) } catch {
            return .park(httpStatus: nil, ocpiStatus: nil, reason: "cannot be delivered: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Token \(token)") }
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: 1 << 20)
            return .classify(httpStatus: Int(response.status.code), body: Array(buffer: answer))
        } catch {
            return .retry(httpStatus: nil, ocpiStatus: nil, error: "\(error)")
        }
    }
}
