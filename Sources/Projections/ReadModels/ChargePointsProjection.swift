import CanonicalCoding
import Domain
import Ledger

/// Each charge point as OCPP reported it: whether a connection is open, what it booted as, and
/// every connector's last status — so a command to an offline or occupied charger is known to fail.
public struct ChargePointsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var chargePointId: String
        public var connected: Bool
        /// The open connection (`ChargePointConnected.connection`) and the instance holding it.
        public var connection: String?
        public var instance: String?
        /// The OCPP WebSocket subprotocol of the open (or last) connection; absent: `ocpp1.6`.
        public var subprotocol: String?
        /// When the last connection ended, while none is open and its EVSEs are not yet
        /// published `UNKNOWN`: the offline grace period runs from here (`OfflineWatch`).
        public var offlineSince: Timestamp?
        public var vendor: String?
        public var model: String?
        /// Connector id (as text; OCPP's 0 is the whole charge point) → OCPP ChargePointStatus.
        public var connectors: [String: String]
        public var lastChange: Timestamp
        /// The last real-time decision per id tag (upper-cased: RFID uids compare case-insensitively),
        /// until a session starts with it.
        public var authorizations: [String: Decision]?
        /// OCPP 2.0.1 transactions that began without a token (a cable plugged in first), by
        /// lower-cased transaction id, until their session starts: where and at what register.
        public var pendingTransactions: [String: PendingTransaction]?

        @Canonical
        public struct PendingTransaction: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var evseId: Int?
            public var meterWh: Int?
            public var at: Timestamp
        }

        @Canonical
        public struct Decision: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var allowed: String
            public var authorizationId: String?
            public var at: Timestamp
            /// The token as a 2.2.1 IOP described it.
            public var token: TokenSnapshot?
        }

        /// A new charge can start on this connector (OCPP 1.6 `Available`, or `Preparing`: a plug is
        /// in). OCPP 2.0.1's `Occupied` is both a plug waiting for a token and a charge running: the
        /// station decides (it refuses a remote start to an EVSE with an authorized transaction).
        public func isFree(connector: Int) -> Bool {
            guard let status = connectors[String(connector)] else { return true }  // never reported: let the charger decide
            return status == "Available" || status == "Preparing" || status == "Occupied"
        }
    }

    public static let name = "chargepoints"
    public static let columnNames = ["connected", "offline_since"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .chargePointConnected(let e): e.chargePointId
        case .chargePointDisconnected(let e): e.chargePointId
        case .bootNotified(let e): e.chargePointId
        case .connectorStatusChanged(let e): e.chargePointId
        case .evseStatusChanged(let e): e.chargePointId
        case .authorizationDecided(let e): e.chargePointId
        case .sessionStarted(let e): e.chargePointId
        case .transactionEventReceived(let e) where e.sessionId == nil: e.chargePointId
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        if state.isNone {
            state = State(chargePointId: key(for: logged.event)!, connected: false, connectors: [:], lastChange: logged.recordedAt)
        }
        state.update { state in fold(logged, into: &state) }
    }

    private func fold(_ logged: LoggedEvent, into state: inout State) {
        state.lastChange = logged.recordedAt
        switch logged.event {
        case .chargePointConnected(let e):
            state.connected = true
            state.connection = e.connection
            state.instance = e.instance
            state.subprotocol = e.subprotocol
            state.offlineSince = nil
        case .chargePointDisconnected(let e):
            // The end of a connection that was already replaced leaves the new one open.
            if let ended = e.connection, let open = state.connection, ended != open { break }
            state.connected = false
            state.connection = nil
            state.instance = nil
            state.offlineSince = logged.recordedAt
        case .bootNotified(let e):
            state.vendor = e.vendor
            state.model = e.model
        case .connectorStatusChanged(let e):
            state.connectors[String(e.connectorId)] = e.status
        case .evseStatusChanged(let e) where e.status == "UNKNOWN":
            state.offlineSince = nil  // published offline: nothing left to wait for
        case .authorizationDecided(let e):
            var decisions = state.authorizations ?? [:]
            decisions[e.idTag.uppercased()] = State.Decision(
                allowed: e.allowed,
                authorizationId: e.authorizationId,
                at: logged.recordedAt,
                token: e.token
            )
            state.authorizations = decisions
        case .sessionStarted(let e):
            // The swipe is used up by the session it started; a transaction waiting for its token has it.
            state.authorizations?[e.idTag.uppercased()] = nil
            state.pendingTransactions?[e.transactionId.text.lowercased()] = nil
        case .transactionEventReceived(let e) where e.sessionId == nil:
            var pending = state.pendingTransactions ?? [:]
            let key = e.transactionId.text.lowercased()
            let known = pending[key]
            pending[key] = State.PendingTransaction(
                evseId: known?.evseId ?? e.evseId,
                meterWh: known?.meterWh ?? e.meterWh,
                at: known?.at ?? e.timestamp
            )
            state.pendingTransactions = pending
        default:
            break
        }
    }

    public func columns(_ state: State) -> [SQLValue] {
        [.integer(state.connected ? 1 : 0), state.offlineSince.map { .text($0.iso8601) } ?? .null]
    }
}
