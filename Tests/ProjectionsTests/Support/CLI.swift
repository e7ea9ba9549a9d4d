import Foundation

/// Runs the built `ledger` executable and captures its output.
enum CLI {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static func ledger(_ arguments: String...) throws -> Output {
        try ledger(arguments)
    }

    static func ledger(_ arguments: [String]) throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appending(path: "cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appending(path: "out"), err = scratch.appending(path: "err")
        try Data().write(to: out)
        try Data().write(to: err)
        let process = Process()
        process.executableURL = directory.appending(path: "ledger")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                      stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
