import Foundation
import Ledger

/// The append load of the append and stores benchmarks: `tasks` concurrent tasks, each appending
/// its share of `events` one event per append to its own stream (group commit gathers them).
struct AppendLoad {
    let events: Int
    let tasks: Int

    static func event(task: Int, index: Int) throws -> NewEvent {
        try NewEvent(
            type: "CommandReceived",
            data: CanonicalJSON(encoding: BenchPayload(task: task, index: index)),
            metadata: EventMetadata(source: "ocpi", correlationId: "command-\(task)-\(index)")
        )
    }

    /// Events per second appended to `store`.
    func rate(on store: any EventStore) async throws -> Double {
        let perTask = events / tasks
        // Built before the clock starts, as a baseline's rows are: this measures the store.
        let prepared = try (0..<tasks).map { task in try (0..<perTask).map { try Self.event(task: task, index: $0) } }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (task, events) in prepared.enumerated() {
                group.addTask {
                    for (index, event) in events.enumerated() {
                        _ = try await store.append([event], to: "bench-\(task)", expectedVersion: .exact(Int64(index)))
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(perTask * tasks) / (ContinuousClock.now - start).seconds
    }
}

/// A payload the size of a typical CommandReceived event (an OCPI StartSession body).
struct BenchPayload: Encodable {
    let task: Int
    let index: Int
    var command = "START_SESSION"
    var responseURL = "https://iop.example.com/ocpi/emsp/2.1.1/commands/START_SESSION/8f3c2a9e-1b7d-4e21-9a63-5c0d2e7f4b18"
    var token = [
        "uid": "012345678", "type": "RFID", "auth_id": "FR-GIR-C12345678-9", "visual_number": "DF000-2001-8999", "issuer": "TheNewMotion",
        "valid": "true", "whitelist": "ALLOWED",
    ]
    var locationID = "LOC-0001"
    var evseUID = "FR*CPO*E0001*1"
    var authorizationID = "4fa8b7c1-2d3e-4f50-8a6b-7c8d9e0f1a2b"

    enum CodingKeys: String, CodingKey {
        case task, index, command, token
        case responseURL = "response_url"
        case locationID = "location_id"
        case evseUID = "evse_uid"
        case authorizationID = "authorization_id"
    }
}
