import Foundation

/// Runs a program to its end without holding a thread: every test target runs in one process,
/// whose servers under test share two cooperative threads, and a test blocked in
/// `waitUntilExit()` while Chromium, Python or `ledger` runs can starve them (seen as timeouts in
/// parallel runs).
public enum ChildProcess {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `command` (looked up on the PATH) with `stdin` from a file if given.
    public static func run(_ command: String, _ arguments: [String], stdin: URL? = nil, executable: URL? = nil) async throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appending(path: "child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appending(path: "out")
        let err = scratch.appending(path: "err")
        try Data().write(to: out)
        try Data().write(to: err)
        let process = Process()
        process.executableURL = executable ?? URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = executable == nil ? [command] + arguments : arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Output(status: status, stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// This process's environment, plus `LEDGER_EXIT_WITH_PARENT` naming this process: a `ledger
    /// serve` (and the Python charger) started from a test ends when the test process does — even
    /// one killed with -9 or crashed, whose own clean-up never ran.
    public static var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["LEDGER_EXIT_WITH_PARENT": String(getpid())]) { _, own in own }
    }

    /// Runs blocking work (a socket read, say) on a thread of its own, not a cooperative one.
    public static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
