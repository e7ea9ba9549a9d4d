import API
import Logging
import Synchronization
import Testing

@Suite("Log lines")
struct LedgerLogHandlerTests {
    /// Collects what a handler writes.
    final class Lines: TextOutputStream, Sendable {
        private let text = Mutex("")
        var written: String { text.withLock { $0 } }
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    /// A line without its leading timestamp (the two handlers may straddle a second).
    static func untimed(_ line: String) -> Substring { line.drop { $0 != " " } }

    @Test("a line is StreamLogHandler's own, metadata and all, the line's metadata winning over the logger's")
    func sameLinesAsStreamLogHandler() {
        let ours = Lines()
        let theirs = Lines()
        var loggers = [
            Logger(label: "chargeledger") { LedgerLogHandler(label: $0, stream: ours) },
            Logger(label: "chargeledger") { StreamLogHandler(label: $0, stream: theirs, metadataProvider: nil) },
        ]
        for index in loggers.indices {
            loggers[index][metadataKey: "hb.request.id"] = "7"
            loggers[index][metadataKey: "command_id"] = "0193-a"
            loggers[index][metadataKey: "authorization_id"] = "auth-1"
            loggers[index].info("command START_SESSION answered REJECTED")
            loggers[index].warning("CALL not sent", metadata: ["command_id": "0193-b", "error": "closed"])
            loggers[index][metadataKey: "command_id"] = nil
            loggers[index].debug("below the level: not written")
            loggers[index].error("no command")
        }
        let lines = ours.written.split(separator: "\n").map { Self.untimed(String($0)) }
        #expect(lines.count == 3)
        #expect(lines == theirs.written.split(separator: "\n").map { Self.untimed(String($0)) })
        let metadata = "authorization_id=auth-1 command_id=0193-a hb.request.id=7"
        #expect(lines.first == " info chargeledger: \(metadata) [APITests] command START_SESSION answered REJECTED")
        let overridden = "authorization_id=auth-1 command_id=0193-b error=closed hb.request.id=7"
        #expect(lines.dropFirst().first == " warning chargeledger: \(overridden) [APITests] CALL not sent")
    }

    @Test("a logger without metadata writes the bare line")
    func noMetadata() {
        let lines = Lines()
        Logger(label: "bench") { LedgerLogHandler(label: $0, stream: lines) }.notice("started")
        #expect(Self.untimed(lines.written) == " notice bench: [APITests] started\n")
    }
}
