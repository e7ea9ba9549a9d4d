import Foundation

/// What several `ledger serve` instances on one ledger agree on outside the log: which of them
/// are alive, and which one owns a piece of work (an outbox lane) for now.
///
/// The log already decides whatever can be decided by appending at an exact stream version (a
/// command's result: the charger's answer or its deadline, whichever is recorded first). What
/// cannot — an HTTP POST to the IOP happens before it is recorded — needs an owner beforehand, or
/// two instances would both send it. Ownership is a lease: it lapses by itself when its holder
/// stops renewing it (killed, cut off), so a dead instance never blocks the others for long.
///
/// Times are the ledger clock's (injected, so tests step through lapses without sleeping);
/// instances on several machines need their clocks in sync to well under `lease` (NTP).
public protocol InstanceCoordination: Sendable {
    /// This instance's id, recorded in the events that name who holds what (a charger's connection).
    var instance: String { get }

    /// Whether other instances may serve the same ledger: when not, nobody else can address a
    /// CALL to this one, take a lane from it, or stop while holding chargers.
    var sharesLedger: Bool { get }

    /// Announces this instance alive until `until`.
    func heartbeat(now: Timestamp, until: Timestamp) async throws

    /// The instances whose last heartbeat has not lapsed at `now` (this one included once it beat).
    func liveInstances(now: Timestamp) async throws -> Set<String>

    /// Takes the lease on `lane` until `until` for the work `claim` names (renewing it when the
    /// same claim asks again): `nil` when it is this instance's now, else the time the other
    /// holder's lease lapses. A lane this instance holds under another claim is taken over — its
    /// earlier work is done — so that work's `release` cannot free the lane under the new one.
    func claim(_ lane: String, for claim: String, now: Timestamp, until: Timestamp) async throws -> Timestamp?

    /// Gives back the lease on `lane`, if it is still held for `claim`.
    func release(_ lane: String, for claim: String) async throws

    /// Leaves: the heartbeat and every lease of this instance are gone (a graceful shutdown).
    func leave() async throws
}

/// The only instance there can be — a SQLite ledger, which `InstanceLock` (a file lock) gives to
/// one `ledger serve` at a time: alive, and the owner of everything.
public struct SoleInstance: InstanceCoordination {
    public let instance: String

    public init(instance: String = UUID().uuidString.lowercased()) {
        self.instance = instance
    }

    public var sharesLedger: Bool { false }
    public func heartbeat(now: Timestamp, until: Timestamp) {}
    public func liveInstances(now: Timestamp) -> Set<String> { [instance] }
    public func claim(_ lane: String, for claim: String, now: Timestamp, until: Timestamp) -> Timestamp? { nil }
    public func release(_ lane: String, for claim: String) {}
    public func leave() {}
}
