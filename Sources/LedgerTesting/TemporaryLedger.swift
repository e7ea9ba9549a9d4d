import Foundation
import Ledger

/// A ledger file in a fresh temporary directory, removed when the test is done with it.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "chargeledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appending(path: name).path() }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

extension SQLiteEventStore {
    /// Runs `body` with a store on a new file, then closes it and removes the directory.
    public static func withTemporary<T>(
        clock: any LedgerClock = ManualClock(),
        configuration: Configuration = .init(),
        _ body: (SQLiteEventStore, TemporaryDirectory) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        return try await SQLiteEventStore(path: directory.path("ledger.sqlite"), clock: clock, configuration: configuration)
            .closing { try await body($0, directory) }
    }
}
