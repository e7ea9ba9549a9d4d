import CanonicalCoding
import Domain
import Ledger

/// Every OCPI 2.2.1 request by its `X-Request-ID`, both ways: a command the IOP sent (its id as
/// received) and each attempt of a delivery the ledger sent (the id it gave it). How a dispute
/// that quotes a request id ("your answer to req-4f1e…") finds what the ledger did with it.
public struct OCPIRequestsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var requestId: String
        /// `received` (a command) or `sent` (a delivery attempt).
        public var direction: String
        public var commandId: String?
        public var deliveryId: String?
        public var attempt: Int?
        public var at: Timestamp
        public var position: Int64
    }

    public static let name = "ocpi_requests"
    public static let columnNames: [String] = []

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .commandReceived(let e): e.exchange?.requestId
        case .deliveryAttempted(let e): e.requestId
        default: nil
        }
    }

    /// The first use of an id is kept: a peer that reuses one does not hide the original.
    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        guard state == nil else { return }
        switch logged.event {
        case .commandReceived(let e):
            guard let id = e.exchange?.requestId else { return }
            state = State(requestId: id, direction: "received", commandId: e.commandId, at: logged.recordedAt, position: logged.position)
        case .deliveryAttempted(let e):
            guard let id = e.requestId else { return }
            state = State(
                requestId: id,
                direction: "sent",
                deliveryId: e.deliveryId,
                attempt: e.attempt,
                at: logged.recordedAt,
                position: logged.position
            )
        default:
            return
        }
    }

    public func columns(_ state: State) -> [SQLValue] { [] }
}
