import Domain
import Ledger
import Logging
import ServiceLifecycle
import Synchronization

/// Sends the CALLs other instances recorded for chargers connected here.
///
/// Several `ledger serve` instances on one ledger, behind one load balancer, take commands for
/// any charger, but only the instance holding a charger's WebSocket can talk to it. The one that
/// takes the command records it as dispatched `via` the holder (`CommandDispatched.via`, the CALL
/// text included); the holder follows the log — the log is the bus, and PostgreSQL's NOTIFY wakes
/// it — and sends that CALL as recorded. The answer arrives on the holder's connection and is
/// settled there, like any other.
///
/// It follows the log from its head when this instance started: a command recorded before could
/// not name this instance. A CALL whose deadline has passed is not sent (its TIMEOUT is, or will
/// be, the result), nor one for a charger that has left meanwhile — the deadline settles it.
public struct RemoteDispatch: Service {
    let store: any ProjectionStore
    let gateway: any ChargerGateway
    let instance: String
    /// The log's head when this instance started: where following begins.
    let start: Int64
    let clock: any LedgerClock
    let logger: Logger
    /// Events read per pass.
    static let pageSize = 512

    public init(store: any ProjectionStore, gateway: any ChargerGateway, instance: String, start: Int64, clock: any LedgerClock, logger: Logger) {
        self.store = store
        self.gateway = gateway
        self.instance = instance
        self.start = start
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let cursor = Cursor(start)
        try await store.repeatUntilShutdown(clock: clock, logger: logger) {
            let page = try await store.readAll(after: cursor.position, limit: Self.pageSize)
            for recorded in page where recorded.type == CommandDispatched.eventType {
                await sendIfAddressedHere(recorded)
            }
            if let last = page.last { cursor.position = last.position }
            return page.count == Self.pageSize ? .again : .wait(until: nil)
        }
    }

    private func sendIfAddressedHere(_ recorded: RecordedEvent) async {
        let dispatched: CommandDispatched
        do {
            guard case .commandDispatched(let event) = try EventCatalogue.standard.decode(recorded) else { return }
            dispatched = event
        } catch {
            logger.error("CommandDispatched at position \(recorded.position) unreadable, not sent: \(error)")
            return
        }
        guard dispatched.via == instance, let frame = dispatched.frame else { return }
        guard clock.now() < dispatched.deadline else {
            logger.notice("CALL of command \(dispatched.commandId) not sent: its deadline passed before it reached this instance")
            return
        }
        do {
            try await gateway.send(
                OutboundCall(commandId: dispatched.commandId, action: dispatched.action, text: frame, deadline: dispatched.deadline),
                to: dispatched.chargePointId
            )
            logger.info("CALL of command \(dispatched.commandId) sent for another instance", metadata: ["command_id": .string(dispatched.commandId)])
        } catch {
            logger.warning("CALL of command \(dispatched.commandId) to \(dispatched.chargePointId) not sent (the deadline settles it): \(error)")
        }
    }
}

/// The position of the last event handed on, shared by the passes of one run.
private final class Cursor: Sendable {
    private let value: Mutex<Int64>
    init(_ position: Int64) { value = Mutex(position) }
    var position: Int64 {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
