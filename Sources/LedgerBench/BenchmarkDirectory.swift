import Foundation

/// A temporary directory for one benchmark run's databases, on the same disk as `/tmp`.
struct BenchmarkDirectory {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appending(path: "ledger-bench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ file: String) -> String { url.appending(path: file).path() }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
