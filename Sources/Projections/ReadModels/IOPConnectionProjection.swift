import CanonicalCoding
import Domain
import Ledger

/// The connection to the IOP as the credentials handshakes left it (one row, key `iop`): the
/// tokens the ledger lets the IOP in with (as hashes) and the sealed one it calls the IOP with,
/// the IOP's endpoints, and the invitations or offers still open.
public struct IOPConnectionProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        /// The last registration or update; still there after an unregistration (its endpoints
        /// are where pushes queue up, paused, until the next registration).
        public var registration: IOPRegistered?
        /// Registered now: the IOP is let in with the registration's token, and pushes go out.
        public var registered: Bool
        /// Ever registered: after an unregistration the outbox keeps what waits for the IOP
        /// (paused) instead of sending it with the command-line settings.
        public var everRegistered: Bool
        /// SHA-256 of the tokens made for a handshake not yet completed → `invitation` / `offer`.
        public var pendingTokens: [String: String]
        /// The OCPI version of each pending invitation that names one (absent: 2.1.1).
        public var invitedVersions: [String: String]?
        public var registeredAt: Timestamp?
        public var unregisteredAt: Timestamp?
        public var changes: Int
    }

    public static let name = "iop_connection"
    public static let key = "iop"
    public static let columnNames: [String] = []

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .credentialsTokenIssued, .iopRegistered, .iopUnregistered: Self.key
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        var current = state ?? State(registered: false, everRegistered: false, pendingTokens: [:], changes: 0)
        current.changes += 1
        switch logged.event {
        case .credentialsTokenIssued(let e):
            current.pendingTokens[e.tokenHash] = e.purpose
            if let version = e.version { current.invitedVersions = (current.invitedVersions ?? [:]).merging([e.tokenHash: version]) { $1 } }
        case .iopRegistered(let e):
            current.registration = e
            current.registered = true
            current.everRegistered = true
            current.registeredAt = logged.recordedAt
            current.unregisteredAt = nil
            // The handshake used one of them; the others served an attempt that is over.
            current.pendingTokens = [:]
            current.invitedVersions = nil
        case .iopUnregistered:
            current.registered = false
            current.unregisteredAt = logged.recordedAt
        default:
            return
        }
        state = current
    }

    public func columns(_ state: State) -> [SQLValue] { [] }
}
