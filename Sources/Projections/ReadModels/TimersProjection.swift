import Domain
import Ledger

/// Open command deadlines. The timeout service reads this table, so a deadline set before a crash
/// still fires after the restart.
public struct TimersProjection: Projection {
    public struct State: Codable, Sendable, Equatable, CanonicalWritable {
        public var commandId: String
        public var chargePointId: String
        public var deadline: Timestamp

        enum CodingKeys: String, CodingKey {
            case commandId = "command_id"
            case chargePointId = "charge_point_id"
            case deadline
        }

        public func write(to writer: inout CanonicalWriter) {
            writer.object { object in
                object.member(CodingKeys.chargePointId, chargePointId)
                object.member(CodingKeys.commandId, commandId)
                object.member(CodingKeys.deadline, deadline)
            }
        }
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
