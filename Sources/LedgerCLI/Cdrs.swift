import ArgumentParser
import Ledger
import Projections

struct Cdrs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdrs",
        abstract: "Print the CDRs issued after a position, for billing (NDJSON or CSV).",
        discussion: """
            Each CDR carries its authorization_id, session id, kWh, times, location and EVSE, and \
            `position`: the log position it was issued at. Keep the last position you processed \
            and resume with `ledger cdrs --after <it>`: you will get every later CDR exactly once, \
            even while the server keeps appending. Nothing printed means nothing new.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case ndjson, csv
    }

    @OptionGroup var database: DatabaseOptions

    @Option(parsing: .unconditional, help: "Print CDRs issued after this position (0 = all).")
    var after: Int64 = 0

    @Option(parsing: .unconditional, help: "Print at most this many CDRs (default: all).")
    var limit: Int?

    @Option(help: "ndjson (one JSON object per line) or csv (with a header line).")
    var format: Format = .ndjson

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try await database.openProjectionStore(folding: true)
            let outcome = await printCdrs(from: store)
            await store.close()
            try outcome.get()
        }
    }

    private func printCdrs(from store: some ProjectionStore) async -> Result<Void, Failure> {
        var output = OutputBuffer()
        defer { output.flush() }
        if format == .csv { output.writeLine(BillingExport.Record.csvHeader) }
        var cursor = after
        var remaining = limit ?? .max
        while remaining > 0 {
            let page: [BillingExport.Record]
            do {
                page = try await BillingExport.records(after: cursor, limit: min(remaining, 1024), store: store)
            } catch {
                return .failure(.unusableDatabase("\(error)"))
            }
            guard let last = page.last else { break }
            for record in page {
                switch format {
                case .csv: output.writeLine(record.csvLine)
                case .ndjson:
                    guard let line = try? CanonicalEncoder.text(of: record) else {
                        return .failure(.refused("CDR \(record.cdrId) cannot be printed"))
                    }
                    output.writeLine(line)
                }
            }
            cursor = last.position
            remaining -= page.count
        }
        return .success(())
    }
}
