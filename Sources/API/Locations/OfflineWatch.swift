import Domain
import Ledger
import Logging
import Projections
import ServiceLifecycle

/// Publishes the EVSEs of a charger that stayed disconnected past the grace period as `UNKNOWN`
/// (OCPI 2.1.1: "also used when offline"; spec digest §4.6, vector L-25). A charger back within
/// the grace period changes nothing (L-26): its next StatusNotification is compared with what was
/// published before it left.
///
/// The disconnection time is in the chargepoints projection, so a grace period running when the
/// server stopped still ends after the restart. With several instances on one ledger, a charge
/// point's expiry is done under a lease on it, and decided on what the projections say once the
/// lease is held: published once, whichever instance sees it first.
public struct OfflineWatch: Service {
    let store: any ProjectionStore
    let coordination: any InstanceCoordination
    let publisher: EvseStatusPublisher
    /// How long a charger may be away before its EVSEs are `UNKNOWN`: long enough that a
    /// reconnection (a network blip, a firmware restart) does not flap the IOP's map.
    let grace: Duration
    let clock: any LedgerClock
    let logger: Logger

    public init(
        store: any ProjectionStore,
        coordination: any InstanceCoordination,
        publisher: EvseStatusPublisher,
        grace: Duration,
        clock: any LedgerClock,
        logger: Logger
    ) {
        self.store = store
        self.coordination = coordination
        self.publisher = publisher
        self.grace = grace
        self.clock = clock
        self.logger = logger
    }

    /// How long this instance holds a charge point while it publishes its expiry, in ms.
    static let lease: Int64 = 30_000

    public func run() async throws {
        try await store.repeatUntilShutdown(clock: clock, logger: logger) {
            let now = clock.now()
            var next: Timestamp?
            for chargePoint in try await store.read(ChargePointsProjection.awaitingOffline) {
                guard let since = chargePoint.offlineSince else { continue }
                let expiry = since.adding(milliseconds: grace.milliseconds)
                guard expiry <= now else {
                    next = min(next ?? expiry, expiry)
                    continue
                }
                if try await expire(chargePoint.chargePointId, since: since, at: expiry) { return .again }
            }
            return .wait(until: next)
        }
    }

    /// Records `UNKNOWN` for the charge point's EVSEs not already so; `true` if it recorded any.
    private func expire(_ chargePointId: String, since: Timestamp, at expiry: Timestamp) async throws -> Bool {
        // Nothing to publish (no EVSE in the locations file): no lease taken for it.
        guard try await !events(chargePointId, since: since, at: expiry).isEmpty else { return false }
        let now = clock.now()
        let claim = "\(chargePointId)@\(since.iso8601)"
        guard try await coordination.claim("offline:\(chargePointId)", for: claim, now: now, until: now.adding(milliseconds: Self.lease)) == nil
        else {
            return false
        }
        // Again under the lease: another instance may have published it, or the charger came back.
        let events = try await events(chargePointId, since: since, at: expiry)
        guard !events.isEmpty else { return false }
        _ = try await store.append(events, to: StreamID.chargePoint(chargePointId), expectedVersion: .any)
        logger.info("charge point \(chargePointId) offline past its grace period: its EVSEs published UNKNOWN")
        return true
    }

    /// The `UNKNOWN` statuses still to publish for a charge point gone since `since`.
    private func events(_ chargePointId: String, since: Timestamp, at expiry: Timestamp) async throws -> [NewEvent] {
        guard let state = try await store.state(ChargePointsProjection.self, chargePointId), state.offlineSince == since else { return [] }
        let report = EvseStatusPublisher.Report(
            connectors: state.connectors,
            offline: true,
            cause: "offline since \(since.ocpiDateTime) (grace \(grace.milliseconds / 1000) s)",
            connectorIds: nil
        )
        return try await publisher.events(chargePointId: chargePointId, report, at: expiry)
    }
}
