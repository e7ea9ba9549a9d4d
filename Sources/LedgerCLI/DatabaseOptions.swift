import ArgumentParser
import CSQLite
import Foundation
import Ledger
import PostgresStore
import Projections

/// `--db`, shared by every command that opens a ledger.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The ledger: a SQLite file (`serve` and `import` create it; the other commands refuse one that does not exist), or a PostgreSQL database, postgres://user:password@host:5432/database (LEDGER_DB).",
            valueName: "path-or-url"
        )
    )
    var db: String = ProcessInfo.processInfo.environment["LEDGER_DB"] ?? "ledger.sqlite"

    /// The ledger as messages name it: the path, or the PostgreSQL URL without its password.
    var displayName: String {
        guard PostgresLocation.isURL(db) else { return db }
        return (try? PostgresLocation(url: db).description) ?? "the PostgreSQL database"
    }

    /// Opens the ledger and its projection tables, on SQLite or PostgreSQL. `folding` keeps them
    /// in step, catching up first (`import`, `audit`, `cdrs`, `serve`); without it they are only
    /// read (`replay` compares them with a rebuild and must not fold anything into them first) or
    /// left alone (`events`, `verify`, `import --log-only` work on the log itself). `creating`: a
    /// SQLite file that does not exist is made (`serve`, `import`); the commands that only read
    /// refuse it, so a mistyped `--db` is an error, not a new empty ledger that "verifies".
    func openProjectionStore(folding: Bool, creating: Bool = false) async throws -> any ProjectionStore {
        guard PostgresLocation.isURL(db) else { return try Self.openSQLite(db, withProjections: folding, creating: creating) }
        return try await Self.openPostgres(db, withProjections: folding)
    }

    /// `withProjections` keeps the read models in step; their schema is migrated and checked either way.
    /// The ledger `serve` works on (created if it is a new SQLite file, its read models kept in
    /// step) and how this server shares it: through the database on PostgreSQL, with the other
    /// instances there; alone on SQLite, which has one server per file (`InstanceLock`).
    func openServedLedger() async throws -> (store: any ProjectionStore, coordination: any InstanceCoordination) {
        guard PostgresLocation.isURL(db) else { return (try Self.openSQLite(db, withProjections: true, creating: true), SoleInstance()) }
        let store = try await Self.openPostgres(db, withProjections: true)
        return (store, store.coordination())
    }

    static func openPostgres(_ url: String, withProjections: Bool) async throws -> PostgresEventStore {
        do { return try await PostgresEventStore.open(url: url, readModels: ProjectionEngine(), folding: withProjections) } catch {
            throw Failure.unusableDatabase(error.description)
        }
    }

    /// Opens a SQLite ledger, or says why not on one line (exit 2). `withProjections` keeps the
    /// read models in step (caught up first, then with every append); their schema is migrated
    /// and checked either way.
    static func openSQLite(_ path: String, withProjections: Bool, creating: Bool = false) throws -> SQLiteEventStore {
        guard creating || FileManager.default.fileExists(atPath: path) else {
            throw Failure.unusableDatabase(
                "there is no ledger at \(path): give its path with --db (or LEDGER_DB); only `ledger serve` and `ledger import` create one"
            )
        }
        do {
            return try SQLiteEventStore(path: path, readModels: ProjectionEngine(), folding: withProjections)
        } catch .storage(let error) where error.code == SQLITE_BUSY || error.code == SQLITE_LOCKED {
            throw Failure.unusableDatabase(
                "\(path) is locked by another process (another `ledger serve` on it, or a tool holding a write transaction): stop it, or use another --db"
            )
        } catch .storage(let error) {
            throw Failure.unusableDatabase("the ledger \(path) cannot be opened: \(error)")
        } catch {
            throw Failure.unusableDatabase(error.description)
        }
    }
}

/// Errors that end a command with a one-line message and a documented exit code (the table in
/// `ledger --help` and the README): each code has one meaning.
enum Failure: Error {
    /// Exit 2: the database could not be opened or used.
    case unusableDatabase(String)
    /// Exit 1: the command ran and found or caused a problem it reports.
    case refused(String)
    /// Exit 3: the server could not start (its port, its locations file, its token) or stopped on an error.
    case cannotServe(String)

    /// Prints the message to standard error and returns the exit code to end with.
    func report() -> ExitCode {
        let (message, code): (String, Int32) =
            switch self {
            case .refused(let message): (message, 1)
            case .unusableDatabase(let message): (message, 2)
            case .cannotServe(let message): (message, 3)
            }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(code)
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning `Failure`s into their message and exit code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as Failure {
            throw failure.report()
        }
    }
}

/// Standard output with a buffer: `events` may print millions of lines.
struct OutputBuffer {
    private var buffer: [UInt8] = []

    mutating func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
