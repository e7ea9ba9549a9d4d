import Domain
import Ledger
import Logging
import Projections
import ServiceLifecycle

/// Keeps this instance alive for the others on the same ledger, and ends the charger connections
/// of instances that stopped.
///
/// A charger connected to an instance killed with -9 stays "connected" in the log until someone
/// says otherwise; commands for it would be accepted and time out. So every beat, the instance
/// that holds the sweep lease records `ChargePointDisconnected` for each connection whose holder
/// is no longer alive — naming the connection, so a charger that has reconnected elsewhere in the
/// meantime stays connected. On SQLite (`SoleInstance`) the one sweep, at start-up, ends the
/// connections the previous run left open.
public struct InstanceHeartbeat: Service {
    let store: any ProjectionStore
    let coordination: any InstanceCoordination
    let clock: any LedgerClock
    let logger: Logger
    /// How long one heartbeat holds, in ms: an instance silent for this long is taken for stopped.
    /// It beats three times per lease, so one slow beat does not make it look dead.
    public static let lease: Int64 = 30_000
    static let sweepLane = "instances:sweep"

    public init(store: any ProjectionStore, coordination: any InstanceCoordination, clock: any LedgerClock, logger: Logger) {
        self.store = store
        self.coordination = coordination
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await clock.sleep(until: clock.now().adding(milliseconds: Self.lease / 3))
                do { try await beat() } catch {
                    logger.error("heartbeat of instance \(coordination.instance) failed, again in \(Self.lease / 3) ms: \(error)")
                }
            }
        }
    }

    /// One heartbeat and sweep — also run once before the server accepts anything.
    func beat() async throws {
        let now = clock.now()
        try await coordination.heartbeat(now: now, until: now.adding(milliseconds: Self.lease))
        guard try await coordination.claim(Self.sweepLane, for: coordination.instance, now: now, until: now.adding(milliseconds: Self.lease)) == nil
        else { return }
        let live = try await coordination.liveInstances(now: now)
        let open = try await store.read(ChargePointsProjection.connected)
        for stale in open where !live.contains(stale.instance ?? "") {
            let stopped = stale.instance.map { "instance \($0)" } ?? "an earlier run"
            let event = try EventCoding.newEvent(
                ChargePointDisconnected(chargePointId: stale.chargePointId, reason: "its server stopped (\(stopped))", connection: stale.connection),
                metadata: EventMetadata(source: "ocpp:\(stale.chargePointId)")
            )
            _ = try await store.append([event], to: StreamID.chargePoint(stale.chargePointId), expectedVersion: .any)
            logger.notice("charge point \(stale.chargePointId) recorded disconnected: its server stopped (\(stopped))")
        }
    }
}
