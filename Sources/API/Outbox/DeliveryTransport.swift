import Domain
import Ledger

/// What happened to one delivery attempt, as the outbox classifies it.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The receiver took it (HTTP 2xx with an OCPI 1xxx status, or no envelope at all).
    case delivered(httpStatus: Int, ocpiStatus: Int?)
    /// Try again later: network error, timeout, HTTP 5xx/408/429, OCPI 3xxx.
    case retry(httpStatus: Int?, ocpiStatus: Int?, error: String)
    /// Do not loop: the receiver refused the content (OCPI 2xxx, other HTTP 4xx). An operator decides.
    case park(httpStatus: Int?, ocpiStatus: Int?, reason: String)

    /// Classifies an HTTP answer by Gireve's store-and-forward rules (gireve-iop.md §8 [REC]).
    public static func classify(httpStatus: Int, body: [UInt8]) -> DeliveryOutcome {
        let ocpiStatus = (try? JSONValue(parsing: body))?["status_code"]?.int64Value.map(Int.init)
        switch (httpStatus, ocpiStatus) {
        case (200..<300, nil), (200..<300, .some(1000..<2000)):
            return .delivered(httpStatus: httpStatus, ocpiStatus: ocpiStatus)
        case (_, .some(let code)) where (2000..<3000).contains(code):
            return .park(httpStatus: httpStatus, ocpiStatus: code, reason: "receiver answered OCPI \(code)")
        case (500..<600, _), (408, _), (429, _), (200..<300, _):
            return .retry(httpStatus: httpStatus, ocpiStatus: ocpiStatus, error: "HTTP \(httpStatus)" + (ocpiStatus.map { ", OCPI \($0)" } ?? ""))
        default:
            return .park(httpStatus: httpStatus, ocpiStatus: ocpiStatus, reason: "receiver answered HTTP \(httpStatus)")
        }
    }
}

/// Sends one delivery. The real one is HTTP (`HTTPDeliveryTransport`); every call has a timeout.
public protocol DeliveryTransport: Sendable {
    /// One attempt at `delivery`, and the `X-Request-ID` it went out with (OCPI 2.2.1 deliveries
    /// only, and only when a request left), which the outbox records with the attempt.
    func deliver(_ delivery: DeliveryScheduled) async -> (outcome: DeliveryOutcome, requestId: String?)
}
