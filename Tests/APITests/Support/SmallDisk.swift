import Foundation
import Ledger
import LedgerTesting

/// A real full disk: a tmpfs of a few megabytes mounted on a fresh temporary directory, which
/// `fill()` fills to the last byte (ENOSPC) and `free()` empties again. Needs root, as `.ci/run`
/// and these machines have; there is no way to make the kernel say ENOSPC without it.
struct SmallDisk {
    let directory: TemporaryDirectory
    private var filler: String { directory.path("filler") }

    static func mount(megabytes: Int) async throws -> SmallDisk {
        let directory = try TemporaryDirectory()
        let mounted = try await ChildProcess.run("mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", directory.path("")])
        guard mounted.status == 0 else {
            directory.remove()
            throw DiskError(what: "mount a tmpfs (needs root): \(mounted.stderr)")
        }
        return SmallDisk(directory: directory)
    }

    /// Fills the disk until the kernel refuses a byte more. The ledger's WAL is checkpointed and
    /// truncated first, so the very next commit needs space it cannot get (a WAL is otherwise
    /// rewritten in place, and would absorb a few commits before it had to grow).
    func fill(ledger: String) throws {
        let database = try Database.open(path: ledger, scratch: false)
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { throw DiskError(what: "create \(filler)") }
        defer { close(descriptor) }
        for chunk in [1 << 20, 4096, 1] {
            let bytes = [UInt8](repeating: 0xA5, count: chunk)
            while true {
                if write(descriptor, bytes, chunk) > 0 { continue }  // a short write: the next one says why
                guard errno == ENOSPC else { throw DiskError(what: "fill the disk: errno \(errno)") }
                break
            }
        }
    }

    func free() throws {
        try FileManager.default.removeItem(atPath: filler)
    }

    func unmount() async {
        _ = try? await ChildProcess.run("umount", ["-l", directory.path("")])
        directory.remove()
    }

    struct DiskError: Error, CustomStringConvertible {
        let what: String
        var description: String { "could not \(what)" }
    }
}
