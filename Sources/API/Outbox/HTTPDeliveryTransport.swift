import AsyncHTTPClient
import Domain
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Deliveries over HTTP with async-http-client: `Authorization: Token <iop-token>`, a JSON body,
/// and a timeout on every request. A URL the policy refuses — one the client cannot take, or a
/// host the token must not reach — is parked at once, never attempted: a delivery an older ledger
/// (or an older binary's checks) let into the outbox cannot crash the process or loop for ever.
///
/// The token is the IOP connection's at the time of the attempt (`IOPLink`): a delivery scheduled
/// before a registration goes out with the token the registration gave. While the IOP has
/// unregistered the ledger (credentials DELETE), nothing is sent: each attempt is a retry, so
/// every lane keeps its order until a new registration (spec digest C-14, C-18).
public struct HTTPDeliveryTransport: DeliveryTransport {
    let client: HTTPClient
    let link: IOPLink
    let policy: ResponseURLPolicy
    let timeout: TimeAmount

    public init(client: HTTPClient, link: IOPLink, policy: ResponseURLPolicy, timeout: TimeAmount = .seconds(15)) {
        self.client = client
        self.link = link
        self.policy = policy
        self.timeout = timeout
    }

    public func deliver(_ delivery: DeliveryScheduled) async -> (outcome: DeliveryOutcome, requestId: String?) {
        let current: IOPLink.Current
        do { current = try await link.current() } catch {
            return (.retry(httpStatus: nil, ocpiStatus: nil, error: "the IOP connection cannot be read: \(error)"), nil)
        }
        guard !current.paused else {
            return (.retry(httpStatus: nil, ocpiStatus: nil, error: "the IOP unregistered this CPO: kept until it registers again"), nil)
        }
        do { _ = try policy.allowing(current.endpoint?.hosts ?? []).check(delivery.url) } catch {
            return (.park(httpStatus: nil, ocpiStatus: nil, reason: "cannot be delivered: \(error)"), nil)
        }
        var request = HTTPClientRequest(url: delivery.url)
        request.method = HTTPMethod(rawValue: delivery.method)
        request.headers.add(name: "Content-Type", value: "application/json")
        let version = OCPIVersion(recorded: delivery.ocpiVersion) ?? .v211
        // On 2.2.1 each attempt is a request of its own, with a new X-Request-ID.
        let requestId = version == .v221 ? UUID().uuidString.lowercased() : nil
        request.addOCPIHeaders(token: current.token, version: version, exchange: delivery.exchange ?? OCPIExchange(), requestId: requestId)
        request.body = .bytes(ByteBuffer(string: delivery.body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: 1 << 20)
            return (.classify(httpStatus: Int(response.status.code), body: Array(buffer: answer)), requestId)
        } catch {
            return (.retry(httpStatus: nil, ocpiStatus: nil, error: "\(error)"), requestId)
        }
    }
}
