import CanonicalCoding
import Domain
import Ledger

/// `authorization_id` → every command, authorization decision, session and CDR that carries it.
/// The reverse links live on the sessions, commands and CDRs themselves.
public struct AuthorizationLinksProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        /// Where the id came from: a START_SESSION (`command`) or a real-time authorization (`authorize`).
        @Canonical
        public struct Source: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var kind: String
            public var reference: String
            public var at: Timestamp
            public var position: Int64
        }

        public var authorizationId: String
        public var firstSeenAt: Timestamp
        public var sources: [Source]
        public var commandIds: [String]
        public var sessionIds: [String]
        public var cdrIds: [String]
        public var positions: [Int64]
    }

    public static let name = "authorizations"

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        let id: String? =
            switch event {
            case .commandReceived(let e): e.authorizationId
            case .authorizationDecided(let e): e.authorizationId
            case .sessionStarted(let e): e.authorizationId
            case .authorizationBound(let e): e.candidates == 1 ? e.authorizationId : nil
            case .cdrIssued(let e): e.authorizationId
            default: nil
            }
        // Stored verbatim; an empty string is not an authorization (and is flagged on the CDR).
        return id?.isEmpty == false ? id : nil
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        if state.isNone {
            state = State(
                authorizationId: key(for: logged.event)!,
                firstSeenAt: logged.recordedAt,
                sources: [],
                commandIds: [],
                sessionIds: [],
                cdrIds: [],
                positions: []
            )
        }
        state.update { state in fold(logged, into: &state) }
    }

    private func fold(_ logged: LoggedEvent, into state: inout State) {
        let at = logged.recordedAt
        state.positions.append(logged.position)
        switch logged.event {
        case .commandReceived(let e):
            state.sources.append(.init(kind: "command", reference: e.commandId, at: at, position: logged.position))
            state.commandIds.appendIfMissing(e.commandId)
        case .authorizationDecided(let e):
            state.sources.append(.init(kind: "authorize", reference: "\(e.idTag)@\(e.chargePointId)", at: at, position: logged.position))
        case .sessionStarted(let e):
            state.sessionIds.appendIfMissing(e.sessionId)
            if let commandId = e.commandId { state.commandIds.appendIfMissing(commandId) }
        case .authorizationBound(let e):
            state.sessionIds.appendIfMissing(e.sessionId)
            if let commandId = e.commandId { state.commandIds.appendIfMissing(commandId) }
        case .cdrIssued(let e):
            state.cdrIds.appendIfMissing(e.cdrId)
        default:
            break
        }
    }

    public func lastPosition(_ state: State) -> Int64? { state.positions.max() }

    public func anomalies(_ state: State, key: String) -> [Anomaly] {
        var found: [Anomaly] = []
        if state.sessionIds.count > 1 {
            found.append(
                Anomaly(
                    kind: .authorizationWithSeveralSessions,
                    subject: "authorizations:\(key)",
                    authorizationId: key,
                    detail: "linked to sessions \(state.sessionIds.joined(separator: ", "))"
                )
            )
        }
        if state.cdrIds.count > 1 {
            found.append(
                Anomaly(
                    kind: .authorizationWithSeveralCdrs,
                    subject: "authorizations:\(key)",
                    authorizationId: key,
                    detail: "linked to CDRs \(state.cdrIds.joined(separator: ", "))"
                )
            )
        }
        return found
    }
}
