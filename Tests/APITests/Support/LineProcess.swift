import Foundation
import LedgerTesting

/// A child process whose standard output is read line by line into an `Inbox`, and whose standard
/// input takes lines: the charger simulator, and `ledger serve` itself for the kill -9 tests.
final class LineProcess: Sendable {
    let lines = Inbox<String>()
    private let process: Process
    private let input: FileHandle

    /// `logs`: read standard error into the same lines (a server's log is how a test learns what it did).
    init(_ executable: URL, _ arguments: [String], logs: Bool = false) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ChildProcess.environment
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardInput = stdin
        process.standardError = logs ? output : FileHandle.nullDevice
        input = stdin.fileHandleForWriting
        let lines = self.lines
        let buffer = LineBuffer()
        output.fileHandleForReading.readabilityHandler = { handle in
            for line in buffer.append(handle.availableData) { lines.append(line) }
        }
        try process.run()
    }

    var processIdentifier: Int32 { process.processIdentifier }

    func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    /// Kills the process and waits for it. SIGKILL by default, not SIGTERM: a server running in
    /// this test process has made SIGTERM ignored (ServiceLifecycle handles it), and children
    /// inherit that.
    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    deinit { kill() }
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
