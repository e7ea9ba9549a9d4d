import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("Crash recovery")
struct CrashRecoveryTests {
    /// The child appends from 8 tasks and prints each position once `append` returned; we kill -9 it
    /// after a random number of acknowledgements (never after a sleep), then reopen the file.
    @Test(
        "every position acknowledged before kill -9 is present after reopening, and the chain verifies",
        arguments: [1, 2, 3]
    )
    func killNineLosesNothingAcknowledged(round: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("crash.sqlite")
        let killAfter = Int.random(in: 50...1_500)

        let child = Process()
        child.executableURL = BuiltProduct.url("LedgerTestWriter")
        child.arguments = [path, "8"]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()

        var output = Data()
        var acknowledged = 0
        while acknowledged < killAfter {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the child died on its own: the checks below will say why
            output.append(chunk)
            acknowledged = output.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        output.append(pipe.fileHandleForReading.readDataToEndOfFile())
        #expect(child.terminationReason == .uncaughtSignal)

        // A line cut by the kill proves nothing; every complete line is a promise.
        let text = String(decoding: output, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])
        let promised = complete.split(separator: "\n").compactMap { Int64($0) }
        #expect(promised.count >= killAfter)

        let store = try SQLiteEventStore(path: path)
        let stored = Set(try await store.readAll(after: 0, limit: .max).map(\.position))
        let report = try await store.verify()
        await store.close()
        let missing = promised.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
        #expect(report.isClean, "\(report.problems)")
    }
}
