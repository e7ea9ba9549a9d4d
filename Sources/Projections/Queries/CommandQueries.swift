import Ledger

extension CommandsProjection {
    /// The first command of this type received with this `response_url`: a command sent again
    /// (the IOP retrying) is answered as that one was.
    public static func firstCopy(command: String, responseURL: String) -> ProjectionQuery<State?> {
        ProjectionQuery { reader in
            try reader.states(Self.self, "WHERE command = ? AND response_url = ? ORDER BY received_at LIMIT 1", [.text(command), .text(responseURL)])
                .first
        }
    }

    /// The START_SESSION commands received at or after `since`, oldest first: the candidates a new
    /// transaction may belong to.
    public static func startSessions(receivedSince since: Timestamp) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            try reader.states(Self.self, "WHERE command = 'START_SESSION' AND received_at >= ? ORDER BY received_at", [.text(since.iso8601)])
        }
    }

    /// The commands sent to a charge point with this OCPP 2.0.1 `remoteStartId` (one, unless two
    /// instances of the ledger chose the same id at the same moment).
    public static func sentWith(remoteStartId: Int, to chargePointId: String) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            try reader.states(Self.self, "WHERE remote_start_id = ? ORDER BY received_at", [.integer(Int64(remoteStartId))])
                .filter { $0.dispatch?.chargePointId == chargePointId }
        }
    }

    /// The highest `remoteStartId` recorded: the next command's starts above it.
    public static var highestRemoteStartId: ProjectionQuery<Int> {
        ProjectionQuery { reader in
            try reader.rows("SELECT max(remote_start_id) FROM \(name)").first?.first?.integer.map { Int($0) } ?? 0
        }
    }

    /// How many commands of one type are in one status.
    public struct StatusCount: Sendable, Equatable {
        public let command: String
        public let status: String
        public let count: Int64
    }

    /// Commands counted by type and status (the metrics' `ledger_commands`).
    public static var countsByStatus: ProjectionQuery<[StatusCount]> {
        ProjectionQuery { reader in
            try reader.rows("SELECT command, status, count(*) FROM \(name) GROUP BY command, status").compactMap { row in
                guard let command = row[0].text, let status = row[1].text, let count = row[2].integer else { return nil }
                return StatusCount(command: command, status: status, count: count)
            }
        }
    }
}
