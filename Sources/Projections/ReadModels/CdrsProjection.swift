import CanonicalCoding
import Domain
import Ledger

/// OCPI 2.1.1 CDRs, each with the `authorization_id` of its session and the position it was
/// issued at (the billing cursor).
public struct CdrsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var cdr: CdrIssued
        public var issuedPosition: Int64
        public var lastUpdated: Timestamp
        public var positions: [Int64]
    }

    public static let name = "cdrs"
    public static let columnNames = ["session_id", "authorization_id", "last_updated", "issued_position"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .cdrIssued(let e): e.cdrId
        case .deliveryScheduled(let e): e.cdrId
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        switch logged.event {
        case .cdrIssued(let e) where state.isNone:
            state = State(cdr: e, issuedPosition: logged.position, lastUpdated: logged.recordedAt, positions: [logged.position])
        default:
            // A CDR is immutable: a second CdrIssued with the same id changes nothing but is linked.
            state?.positions.append(logged.position)
        }
    }

    public func columns(_ state: State) -> [SQLValue] {
        [
            .text(state.cdr.sessionId), state.cdr.authorizationId.map(SQLValue.text) ?? .null,
            .text(state.lastUpdated.iso8601), .integer(state.issuedPosition),
        ]
    }

    public func lastPosition(_ state: State) -> Int64? { state.positions.max() }

    public func anomalies(_ state: State, key: String) -> [Anomaly] {
        guard (state.cdr.authorizationId ?? "").isEmpty else { return [] }
        return [
            Anomaly(
                kind: .cdrWithoutAuthorization,
                subject: "cdrs:\(key)",
                authorizationId: nil,
                detail: "CDR for session \(state.cdr.sessionId) carries no authorization_id"
            )
        ]
    }
}
