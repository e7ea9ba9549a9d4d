import CanonicalCoding
import Domain
import Ledger

/// Each command's lifecycle: received, answered with what, dispatched where, the charger's answer
/// (on time or late), timed out, result queued — with every position that touched it.
public struct CommandsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        @Canonical
        public struct Answer: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var httpStatus: Int
            public var statusCode: Int
            public var result: String?
            public var statusMessage: String?
            public var duplicateOf: String?
            public var at: Timestamp
        }

        @Canonical
        public struct Dispatch: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var chargePointId: String
            public var action: String
            public var messageId: String
            public var connectorId: Int?
            public var deadline: Timestamp
            public var at: Timestamp
            /// OCPP 2.0.1's `remoteStartId` (`CommandDispatched.remoteStartId`).
            public var remoteStartId: Int?
        }

        public var commandId: String
        public var command: String
        public var receivedAt: Timestamp
        public var bodyHash: String
        public var responseUrl: String?
        public var locationId: String?
        public var evseUid: String?
        public var tokenUid: String?
        /// The token's OCPI `auth_id`: what the Session and CDR carry as `auth_id`.
        public var authId: String?
        public var sessionId: String?
        public var authorizationId: String?
        /// `received`, `answered`, `dispatched`, then the charger's `ACCEPTED`/`REJECTED`/`NOT_SUPPORTED`, or `TIMEOUT`.
        public var status: String
        public var answer: Answer?
        public var dispatch: Dispatch?
        public var chargerResult: String?
        public var chargerAnsweredAt: Timestamp?
        public var lateChargerResult: String?
        public var timedOutAt: Timestamp?
        /// The `{"result"}` queued for `response_url`, and its delivery.
        public var resultQueued: String?
        public var resultDeliveryId: String?
        /// Sessions bound to this command.
        public var sessionIds: [String]
        public var warnings: [String]?
        /// The OCPI version it arrived on; absent: 2.1.1.
        public var ocpiVersion: String?
        /// The token as OCPI 2.2.1 named it: what a session it starts charges to.
        public var token: TokenSnapshot?
        /// Its request ids and routing headers (OCPI 2.2.1).
        public var exchange: OCPIExchange?
        public var positions: [Int64]
    }

    public static let name = "commands"
    public static let columnNames = ["command", "status", "authorization_id", "received_at", "response_url", "remote_start_id"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .commandReceived(let e): e.commandId
        case .commandAnswered(let e): e.commandId
        case .commandDispatched(let e): e.commandId
        case .chargerResponded(let e): e.commandId
        case .lateChargerResponse(let e): e.commandId
        case .commandTimedOut(let e): e.commandId
        case .commandResultQueued(let e): e.commandId
        case .commandWarning(let e): e.commandId
        case .authorizationBound(let e): e.commandId
        case .sessionStarted(let e): e.commandId
        case .deliveryScheduled(let e): e.kind == .commandResult ? e.commandId : nil
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        if case .commandReceived(let e) = logged.event {
            state = State(
                commandId: e.commandId,
                command: e.command,
                receivedAt: logged.recordedAt,
                bodyHash: e.bodyHash,
                responseUrl: e.responseUrl,
                locationId: e.locationId,
                evseUid: e.evseUid,
                tokenUid: e.tokenUid,
                authId: e.authId,
                sessionId: e.sessionId,
                authorizationId: e.authorizationId,
                status: "received",
                sessionIds: [],
                warnings: nil,
                ocpiVersion: e.ocpiVersion,
                token: e.token,
                exchange: e.exchange,
                positions: [logged.position]
            )
            return
        }
        // Events for a command this log never received are kept in the log but fold into nothing.
        state.update { state in fold(logged, into: &state) }
    }

    /// An event for a command already received.
    private func fold(_ logged: LoggedEvent, into state: inout State) {
        let at = logged.recordedAt
        state.positions.append(logged.position)
        switch logged.event {
        case .commandAnswered(let e):
            state.answer = .init(
                httpStatus: e.httpStatus,
                statusCode: e.statusCode,
                result: e.result,
                statusMessage: e.statusMessage,
                duplicateOf: e.duplicateOf,
                at: at
            )
            state.status = "answered"
        case .commandDispatched(let e):
            state.dispatch = .init(
                chargePointId: e.chargePointId,
                action: e.action,
                messageId: e.messageId,
                connectorId: e.connectorId,
                deadline: e.deadline,
                at: at,
                remoteStartId: e.remoteStartId
            )
            state.status = "dispatched"
        case .chargerResponded(let e):
            state.chargerResult = e.result
            state.chargerAnsweredAt = at
            state.status = e.result
        case .lateChargerResponse(let e):
            state.lateChargerResult = e.result
            state.chargerAnsweredAt = at
        case .commandTimedOut:
            state.timedOutAt = at
            state.status = "TIMEOUT"
        case .commandResultQueued(let e):
            state.resultQueued = e.result
            state.resultDeliveryId = e.deliveryId
        case .commandWarning(let e):
            state.warnings = (state.warnings ?? []) + [e.warning]
        case .authorizationBound(let e):
            if e.candidates == 1 { state.sessionIds.appendIfMissing(e.sessionId) }
        case .sessionStarted(let e):
            state.sessionIds.appendIfMissing(e.sessionId)
        default:
            break
        }
    }

    public func columns(_ state: State) -> [SQLValue] {
        [
            .text(state.command), .text(state.status), state.authorizationId.map(SQLValue.text) ?? .null, .text(state.receivedAt.iso8601),
            state.responseUrl.map(SQLValue.text) ?? .null, state.dispatch?.remoteStartId.map { SQLValue.integer(Int64($0)) } ?? .null,
        ]
    }

    public func lastPosition(_ state: State) -> Int64? { state.positions.max() }

    public func anomalies(_ state: State, key: String) -> [Anomaly] {
        let accepted = state.chargerResult == "ACCEPTED" || state.lateChargerResult == "ACCEPTED"
        guard state.command == "START_SESSION", accepted, state.sessionIds.isEmpty else { return [] }
        return [
            Anomaly(
                kind: .acceptedStartWithoutSession,
                subject: "commands:\(key)",
                authorizationId: state.authorizationId,
                detail: "the charger accepted the remote start but no session is linked to it"
            )
        ]
    }
}
