import Logging

/// The ledger's log lines: `StreamLogHandler`'s, on standard error, with a logger's metadata
/// written out when a line is logged rather than each time a key is set.
///
/// Why: `StreamLogHandler` formats all of a logger's metadata again at every set. A request
/// sets three keys before its one line (Hummingbird's request id, the command's id, its
/// authorization), and a charger's connection one that most of its messages never print;
/// that formatting was ~3 % of a START_SESSION's CPU (docs/performance.md, issue 31). Lines
/// are byte for byte what `StreamLogHandler` writes: it is handed the metadata with each line.
public struct LedgerLogHandler: LogHandler {
    private var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    /// The handler `LoggingSystem.bootstrap` takes (`ledger` and `ledger-bench` start with it).
    public static func standardError(label: String) -> LedgerLogHandler {
        LedgerLogHandler(stream: .standardError(label: label, metadataProvider: nil))
    }

    /// Lines written to `stream` (tests compare them with `StreamLogHandler`'s).
    public init(label: String, stream: any TextOutputStream & Sendable) {
        self.init(stream: StreamLogHandler(label: label, stream: stream, metadataProvider: nil))
    }

    private init(stream: StreamLogHandler) {
        self.stream = stream
    }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            // A line's own metadata wins over the logger's, as in `StreamLogHandler`.
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, line in line }
        }
        stream.log(event: event)
    }
}
