import CanonicalCoding
import Domain
import Ledger

/// Open command deadlines. The timeout service reads this table, so a deadline set before a crash
/// still fires after the restart.
public struct TimersProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var commandId: String
        public var chargePointId: String
        public var deadline: Timestamp
    }

    public static let name = "timers"
    public static let columnNames = ["deadline"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .commandDispatched(let e): e.commandId
        case .chargerResponded(let e): e.commandId
        case .commandTimedOut(let e): e.commandId
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        switch logged.event {
        case .commandDispatched(let e): state = State(commandId: e.commandId, chargePointId: e.chargePointId, deadline: e.deadline)
        default: state = nil  // answered or timed out: no longer open
        }
    }

    public func columns(_ state: State) -> [SQLValue] { [.text(state.deadline.iso8601)] }
}
