import CSQLite

/// What `ledger verify` found.
public struct VerificationReport: Sendable {
    public var eventCount: Int64 = 0
    /// The first position whose stored hash does not match the recomputed chain.
    public var firstBrokenHash: Int64?
    /// The first position that is not its predecessor + 1.
    public var firstPositionGap: Int64?
    /// The first event whose stream version is not its stream's previous version + 1.
    public var firstStreamVersionGap: Int64?
    /// Append-only protections that are missing or do not refuse writes.
    public var triggerProblems: [String] = []

    public var isClean: Bool {
        firstBrokenHash == nil && firstPositionGap == nil && firstStreamVersionGap == nil && triggerProblems.isEmpty
    }

    /// One line per problem, the first bad position first.
    public var problems: [String] {
        var lines: [(Int64, String)] = []
        if let position = firstBrokenHash {
            lines.append((position, "position \(position): hash does not match the chain (the row or one before it was changed)"))
        }
        if let position = firstPositionGap {
            lines.append((position, "position \(position): positions are not contiguous (an event is missing before it)"))
        }
        if let position = firstStreamVersionGap {
            lines.append((position, "position \(position): stream version does not follow its stream's previous event"))
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1) + triggerProblems
    }
}

/// The chain check of `ledger verify`, fed the rows in position order by any store: every
/// position follows the one before, and every hash is the one its row and predecessor make.
/// Rows are checked one at a time, never collected: verify must run on a log of millions.
public struct ChainCheck: Sendable {
    public private(set) var report = VerificationReport()
    private var previous = ChainHead.empty

    public init() {}

    public mutating func visit(_ row: EventRow) {
        report.eventCount += 1
        if report.firstPositionGap == nil, row.position != previous.position + 1 {
            report.firstPositionGap = row.position
        }
        if report.firstBrokenHash == nil, row.expectedHash(previous: previous.hash) != row.hash {
            report.firstBrokenHash = row.position
        }
        previous = ChainHead(position: row.position, hash: row.hash)
    }

    /// The first event whose stream version is not its stream's previous one + 1, in SQL both
    /// SQLite and PostgreSQL run: a query's one column, the position, or no row.
    public static let streamVersionGapSQL = """
        SELECT position FROM (
            SELECT position, stream_version,
                   lag(stream_version) OVER (PARTITION BY stream_id ORDER BY position) AS previous
            FROM events) AS versions
        WHERE stream_version != coalesce(previous, 0) + 1
        ORDER BY position LIMIT 1
        """
}

/// The checks behind `ledger verify`, run on one connection over a consistent snapshot.
enum ChainVerifier {
    static func check(_ connection: Connection) throws -> VerificationReport {
        try connection.execute("BEGIN")  // one snapshot for both scans
        defer { try? connection.execute("COMMIT") }
        let rows = try connection.cached("SELECT \(EventRow.columns) FROM events ORDER BY position")
        defer { rows.reset() }
        var check = ChainCheck()
        while try rows.step() { check.visit(EventRow(rows)) }
        var report = check.report
        report.firstStreamVersionGap = try connection.cached(ChainCheck.streamVersionGapSQL).firstRow { $0.int64(0) }
        return report
    }

    static let triggers = ["events_are_append_only_update", "events_are_append_only_delete"]

    /// Checks the triggers exist and really refuse writes, inside a transaction that is always
    /// rolled back, so a missing trigger is reported without anything being changed.
    static func probeTriggers(_ connection: Connection) throws -> [String] {
        var problems: [String] = []
        let exists = try connection.cached("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?")
        for trigger in triggers {
            exists.bind(trigger, at: 1)
            if try exists.firstRow({ $0.int(0) }) == 0 {
                problems.append("trigger \(trigger) is missing: the log is not protected against edits")
            }
        }
        try connection.execute("BEGIN IMMEDIATE")
        defer { try? connection.execute("ROLLBACK") }
        let probes = [
            ("UPDATE", "UPDATE events SET type = type WHERE position = (SELECT min(position) FROM events)"),
            ("DELETE", "DELETE FROM events WHERE position = (SELECT min(position) FROM events)"),
        ]
        for (verb, sql) in probes {
            guard (try? connection.execute(sql)) != nil else { continue }
            if sqlite3_changes(connection.handle) > 0 {
                problems.append("an \(verb) on events was not refused: restore the append-only triggers (migration 0001)")
            }
        }
        return problems
    }
}
