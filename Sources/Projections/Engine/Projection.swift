import Domain
import Ledger

/// A read model: a pure fold of events into per-entity states, and the table that stores them.
///
/// The fold is the whole logic; storage is generic (`ProjectionStore`): each entity is one row
/// `(key, body, columns…)` whose `body` is the state's canonical JSON, so a replay that produces
/// the same states produces byte-identical rows.
public protocol Projection: Sendable {
    /// Written by its own writer (`CanonicalWritable`): every row a replay stores is encoded once.
    /// Read by its own reader (`CanonicalReadable`): the live path reads back every row it folds into.
    associatedtype State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable

    /// The table's name.
    static var name: String { get }
    /// Indexed columns beside `key` and `body`, for the queries operations and billing run.
    static var columnNames: [String] { get }

    /// The entity an event changes, if any. One at most: no event in the catalogue changes two
    /// entities of one projection, and an optional costs no allocation where a one-element array
    /// cost one per event and projection (millions in a replay).
    func key(for event: DomainEvent) -> String?
    /// The fold, in place: `state` holds the entity's state before `event` (`nil` when it has
    /// none) and is left holding its state after (`nil` removes the entity). In place because a
    /// state is a few hundred bytes: passed in and returned as a value, it was moved five or six
    /// times per event and projection (2.5 % of a replay, in `memmove`).
    func apply(_ state: inout State?, _ event: LoggedEvent)
    /// Values for `columnNames`, in order.
    func columns(_ state: State) -> [SQLValue]
    /// What a dispute handler should look at in this entity.
    func anomalies(_ state: State, key: String) -> [Anomaly]
    /// The position of the last event folded into the entity: its anomalies' `position`.
    func lastPosition(_ state: State) -> Int64?
}

extension Projection {
    public static var columnNames: [String] { [] }
    public func columns(_ state: State) -> [SQLValue] { [] }
    public func anomalies(_ state: State, key: String) -> [Anomaly] { [] }
    public func lastPosition(_ state: State) -> Int64? { nil }
}

/// A flag for a dispute handler, derived from one entity's state.
public struct Anomaly: Codable, Sendable, Equatable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A START_SESSION the charger accepted, with no session linked to it.
        case acceptedStartWithoutSession = "accepted_start_without_session"
        /// A session that ended without a CDR.
        case sessionWithoutCdr = "session_without_cdr"
        /// A CDR that carries no `authorization_id`.
        case cdrWithoutAuthorization = "cdr_without_authorization"
        /// One authorization linked to more than one session.
        case authorizationWithSeveralSessions = "authorization_with_several_sessions"
        /// One authorization linked to more than one CDR.
        case authorizationWithSeveralCdrs = "authorization_with_several_cdrs"
        /// A session with more than one CDR.
        case sessionWithSeveralCdrs = "session_with_several_cdrs"
        /// A CDR whose `authorization_id` differs from its session's.
        case authorizationMismatch = "authorization_mismatch"
        /// More than one authorization received for one session (all kept; the last is sent).
        case severalAuthorizationsForSession = "several_authorizations_for_session"
        /// A transaction whose binding to an authorization found zero or several candidates.
        case unresolvedBinding = "unresolved_binding"
        /// What the charger reported for a session cannot be true as it stands: a negative meter, a
        /// clock far from the ledger's, a second open transaction on one connector, a meter that went backwards.
        case implausibleTransaction = "implausible_transaction"
        /// An OCPP 2.0.1 transaction that ended with `seqNo`s missing between its first and its last
        /// event: messages the station dropped or gave up resending, which the ledger never saw.
        /// The flag goes when they arrive late.
        case transactionMessagesMissing = "transaction_messages_missing"
    }

    public let kind: Kind
    /// `commands:<id>`, `sessions:<id>`, `cdrs:<id>`, `authorizations:<id>`.
    public let subject: String
    public let authorizationId: String?
    public let detail: String
    /// The last event that changed the subject when the flag was raised or restated: what
    /// `/ops/anomalies?since=` filters on.
    public var position: Int64?

    public init(kind: Kind, subject: String, authorizationId: String?, detail: String, position: Int64? = nil) {
        self.kind = kind
        self.subject = subject
        self.authorizationId = authorizationId
        self.detail = detail
        self.position = position
    }
}

extension Optional {
    /// Changes the wrapped value where it lies, if there is one: a fold's body, written for a
    /// state, without moving the state out of its optional and back.
    mutating func update(_ body: (inout Wrapped) -> Void) {
        if self != nil { body(&self!) }
    }

    /// There is no value: read where it lies. `state == nil`, on a state that is `Equatable`,
    /// resolved to `Optional`'s own `==`, which copied the state (a retain of each of its strings
    /// and collections) to compare it with `nil`: 3 % of a replay, on the charge points alone.
    var isNone: Bool {
        if case .none = self { true } else { false }
    }
}

extension Array where Element: Equatable {
    /// Appends unless already present: link lists stay sets, in first-seen order.
    mutating func appendIfMissing(_ element: Element) {
        if !contains(element) { append(element) }
    }
}
