import Foundation

/// One `ledger serve` per ledger file, held for the life of the process.
///
/// Why: SQLite lets a second process open the same file and append beside the first, and two
/// servers on one ledger would both run the timeout service and the outbox — every result and CDR
/// sent twice. The lock is `flock(2)` on `<db>.lock`, so the kernel releases it when the holder
/// dies, kill -9 included: a restart never finds a stale lock. Read-only commands (`audit`,
/// `events`, `verify`, `replay`) and `import` do not take it; SQLite keeps their writes safe.
public final class InstanceLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock, or says who holds it.
    public init(ledger: String) throws(Refused) {
        path = ledger + ".lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Refused(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw Refused(
                message:
                    "\(ledger) is already served by another `ledger serve`\(holder.isEmpty ? "" : " (pid \(holder))"): stop it, or use another --db"
            )
        }
        // The holder's pid, for the message a second server prints.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
    }

    deinit { close(descriptor) }

    public struct Refused: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
