import ArgumentParser
import Ledger

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the log as NDJSON, one event per line with its position.",
        discussion: """
            A consumer resumes after the last position it processed: `ledger events --after 1041`. \
            The output is what `ledger import` reads.
            """
    )

    @OptionGroup var database: DatabaseOptions

    // `.unconditional`: `--after -1` reaches `validate` (and its message) instead of being taken for an option.
    @Option(parsing: .unconditional, help: "Print events after this position (0 = from the start).")
    var after: Int64 = 0

    @Option(parsing: .unconditional, help: "Print at most this many events (default: all).")
    var limit: Int?

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try await database.openProjectionStore(folding: false)
            let outcome = await printEvents(from: store)
            await store.close()
            try outcome.get()
        }
    }

    private func printEvents(from store: any EventStore) async -> Result<Void, Failure> {
        var output = OutputBuffer()
        defer { output.flush() }
        var cursor = after
        var remaining = limit ?? .max
        while remaining > 0 {
            let page: [RecordedEvent]
            do {
                page = try await store.readAll(after: cursor, limit: min(remaining, 4096))
            } catch {
                return .failure(.unusableDatabase(error.description))
            }
            guard let last = page.last else { break }
            for event in page { output.writeLine(EventLine.encode(event)) }
            cursor = last.position
            remaining -= page.count
        }
        return .success(())
    }
}
