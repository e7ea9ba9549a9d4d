import Foundation
import Ledger

// The child process of the kill -9 crash test (Tests/LedgerTests/CrashRecoveryTests.swift).
//
// Usage: LedgerTestWriter DB_PATH [TASKS]
// Appends forever from TASKS concurrent tasks (group commit under load) and prints each position
// on its own line the moment `append` has returned, i.e. once the store says it is durable.
// The test kills this process at a random moment and checks every printed position survived.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: LedgerTestWriter DB_PATH [TASKS]\n".utf8))
    exit(64)
}
let tasks = arguments.count > 2 ? Int(arguments[2]) ?? 8 : 8
let store = try SQLiteEventStore(path: arguments[1])

await withThrowingTaskGroup(of: Void.self) { group in
    for task in 0..<tasks {
        group.addTask {
            var version: Int64 = 0
            let stream = "crash-\(task)-\(UUID().uuidString)"
            while true {
                let event = try NewEvent(
                    type: "CrashProbe",
                    data: CanonicalJSON(encoding: ["task": task, "n": Int(version)]),
                    metadata: EventMetadata(source: "test-writer")
                )
                let result = try await store.append([event], to: stream, expectedVersion: .exact(version))
                version = result.streamVersion
                FileHandle.standardOutput.write(Data("\(result.positions[0])\n".utf8))
            }
        }
    }
}
