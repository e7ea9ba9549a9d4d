import Foundation
import Ledger

/// A real OCPP 1.6J charge point: the Python `ocpp` package driving `Simulator/charger.py` in a
/// child process. Its stdout is one JSON object per line; commands go to its stdin.
final class ChargerSimulator: Sendable {
    let lines = Inbox<JSONValue>()
    private let process: Process
    private let input: FileHandle

    /// Starts a charger `id` against `port`, answering remote commands as `mode` says
    /// (`accept`, `reject`, `silent`, `disconnect`, `late`), and waits for its boot to be accepted.
    init(id: String, port: Int, mode: String, boot: Bool = true) async throws {
        guard let script = Bundle.module.url(forResource: "Simulator/charger", withExtension: "py") else {
            throw WaitTimedOut(what: "the simulator script in the test bundle", items: "")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path(), "--url", "ws://127.0.0.1:\(port)/ocpp/\(id)", "--mode", mode, "--max-seconds", "120"]
            + (boot ? [] : ["--no-boot"])
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        input = stdin.fileHandleForWriting
        let lines = self.lines
        let buffer = LineBuffer()
        output.fileHandleForReading.readabilityHandler = { handle in
            for line in buffer.append(handle.availableData) {
                lines.append((try? JSONValue(parsing: line)) ?? .string(line))
            }
        }
        try process.run()
        if boot {
            try await waitFor("boot accepted") { $0["event"]?.stringValue == "boot" && $0["status"]?.stringValue == "Accepted" }
            // The StatusNotification after boot is recorded before the charger counts as ready.
            try await waitFor("status notification answered") { $0["event"]?.stringValue == "result" && $0["action"]?.stringValue == "StatusNotification" }
        }
    }

    /// Waits for a line matching `predicate`; returns it.
    @discardableResult
    func waitFor(_ what: String, _ predicate: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        let all = try await lines.wait(what) { $0.contains(where: predicate) }
        return all.first(where: predicate)!
    }

    /// How many lines match `predicate` so far.
    func count(_ predicate: (JSONValue) -> Bool) -> Int { lines.items.filter(predicate).count }

    /// Sends a command line (JSON or `release`) to the simulator's stdin.
    func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    /// Kills the simulator. SIGKILL, not SIGTERM: a server running in this test process has made
    /// SIGTERM ignored (ServiceLifecycle handles it), and children inherit that.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Splits a byte stream into lines.
private final class LineBuffer: @unchecked Sendable {
    private var pending = Data()
    private let lock = NSLock()

    func append(_ data: Data) -> [String] {
        lock.withLock {
            pending.append(data)
            var lines: [String] = []
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
            return lines
        }
    }
}
