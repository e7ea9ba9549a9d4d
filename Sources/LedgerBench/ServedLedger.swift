import Foundation

/// `ledger serve` as a child process, so the benchmark measures the server alone (its CPU-seconds
/// and memory from /proc) and the load generator's own work is not counted against it. The
/// `ledger` executable is the one built beside `ledger-bench`; the child ends with this process
/// (`LEDGER_EXIT_WITH_PARENT`) on every path, a crash of the benchmark included.
final class ServedLedger {
    let process: Process
    let port: Int
    let arguments: [String]
    let ceiling: Bool
    let logFile: String

    /// What /proc says of the server now.
    struct Usage {
        /// User + system CPU-seconds since it started, all threads.
        var cpuSeconds: Double
        var rssMiB: Double
        var peakRSSMiB: Double
    }

    /// Starts `ledger serve <arguments> --port <port>` (0: a free one) — or, `ceiling`, the
    /// constant-answer baseline `ledger-bench ocpp-ceiling` —, its output appended to `logFile`,
    /// and waits until it listens.
    init(arguments: [String], ceiling: Bool = false, port: Int = 0, logFile: String) async throws {
        let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let ledger = ceiling ? bench : bench.deletingLastPathComponent().appending(path: "ledger")
        guard FileManager.default.isExecutableFile(atPath: ledger.path) else {
            throw BenchmarkError("no `ledger` beside ledger-bench (\(ledger.path)): build it with `swift build -c release --product ledger`")
        }
        if !FileManager.default.fileExists(atPath: logFile) { _ = FileManager.default.createFile(atPath: logFile, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        log.seekToEndOfFile()
        let start = log.offsetInFile
        let process = Process()
        process.executableURL = ledger
        process.arguments = [ceiling ? "ocpp-ceiling" : "serve", "--port", String(port)] + (ceiling ? [] : arguments)
        self.ceiling = ceiling
        process.environment = ProcessInfo.processInfo.environment.merging(["LEDGER_EXIT_WITH_PARENT": String(getpid())]) { _, own in own }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        self.arguments = arguments
        self.logFile = logFile
        self.port = try await Self.listeningPort(logFile, after: start, process: process)
    }

    /// The port of the `ledger serving on http://host:PORT` line, once it is written.
    private static func listeningPort(_ logFile: String, after offset: UInt64, process: Process) async throws -> Int {
        for _ in 0..<2400 {
            let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: logFile)))?.dropFirst(Int(offset)) ?? Data(), as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ledger serving on") }),
                let port = line.firstMatch(of: /:(\d+)\s/).flatMap({ Int($0.1) })
            {
                return port
            }
            guard process.isRunning else {
                throw BenchmarkError("`ledger serve` exited before listening:\n\(text.split(separator: "\n").suffix(5).joined(separator: "\n"))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw BenchmarkError("`ledger serve` did not listen within 120 s; its output is in \(logFile)")
    }

    var usage: Usage {
        let pid = process.processIdentifier
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name's closing parenthesis: utime and stime are the 12th and 13th.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        let ticks = fields.count > 12 ? (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0) : 0
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kibibytes(_ key: String) -> Double {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key) }
            return line.flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        }
        return Usage(
            cpuSeconds: ticks / Double(sysconf(Int32(_SC_CLK_TCK))),
            rssMiB: kibibytes("VmRSS:") / 1024,
            peakRSSMiB: kibibytes("VmHWM:") / 1024
        )
    }

    /// The same server started again, on the same port and log, once this one has stopped.
    func restarted() async throws -> ServedLedger {
        try await ServedLedger(arguments: arguments, ceiling: ceiling, port: port, logFile: logFile)
    }

    /// SIGTERM, and waits for the exit (a graceful shutdown records the disconnections).
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
