import Foundation

/// Replays a recorded NDJSON log into a ledger, keeping stream versions, event ids, metadata and
/// times, and chaining fresh hashes.
///
/// All or nothing: a file with a position gap, a stream-version gap or a conflicting event id is
/// refused as a whole, so a lab ledger is never a silently partial copy of production. Importing
/// the same file twice is a no-op (every event is already stored).
public enum LogImport {
    public struct Summary: Sendable {
        public let events: Int
        public let alreadyStored: Int
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// 1-based line number in the file, when one line is to blame.
        public let line: Int?
        public let reason: String
        public var description: String { line.map { "line \($0): \(reason)" } ?? reason }
    }

    public static func run(contentsOf url: URL, into store: any EventStore) async throws(Failure) -> Summary {
        let contents: Data
        do { contents = try Data(contentsOf: url) } catch {
            throw Failure(line: nil, reason: "cannot read \(url.path()): \(error.localizedDescription)")
        }
        var parsed: [EventLine.Parsed] = []
        var lineNumbers: [Int] = []
        for (index, line) in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            let event: EventLine.Parsed
            do { event = try EventLine.decode(line) } catch { throw Failure(line: index + 1, reason: error.reason) }
            if let previous = parsed.last, event.position != previous.position + 1 {
                throw Failure(
                    line: index + 1,
                    reason: "position \(event.position) follows \(previous.position): the file has a gap or is out of order"
                )
            }
            parsed.append(event)
            lineNumbers.append(index + 1)
        }
        do {
            let results = try await store.appendAll(parsed.map(\.request))
            return Summary(events: results.count, alreadyStored: results.filter(\.wasAlreadyStored).count)
        } catch EventStoreError.batchRejected(let index, let reason) {
            throw Failure(line: lineNumbers[index], reason: reason.description)
        } catch {
            throw Failure(line: nil, reason: "\(error)")
        }
    }
}
