import Foundation

/// The executables built beside this test bundle (`swift test` builds the package's products).
enum BuiltProduct {
    static let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static func url(_ name: String) -> URL { directory.appending(path: name) }
}

/// The outcome of running a command to completion.
struct ProcessOutput {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum ChildProcess {
    /// Runs a built product with `arguments` and waits for it; output goes through files so a
    /// chatty child can never block on a full pipe.
    static func run(_ product: String, _ arguments: [String], in directory: URL? = nil) throws -> ProcessOutput {
        let scratch = FileManager.default.temporaryDirectory.appending(path: "child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appending(path: "out")
        let errURL = scratch.appending(path: "err")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let process = Process()
        process.executableURL = BuiltProduct.url(product)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return ProcessOutput(
            status: process.terminationStatus,
            stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// `ledger ARGS…`
    static func ledger(_ arguments: String...) throws -> ProcessOutput {
        try run("ledger", arguments)
    }
}
