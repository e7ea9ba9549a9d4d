import Foundation
import Ledger

/// Small events for tests: distinct data so content comparisons mean something.
enum Fixture {
    static func event(
        _ type: String = "TestEvent",
        id: UUID = UUID(),
        data: [String: String] = [:],
        correlationId: String? = nil,
        source: String = "test"
    ) throws -> NewEvent {
        try NewEvent(
            eventId: id,
            type: type,
            data: CanonicalJSON(encoding: data),
            metadata: EventMetadata(source: source, correlationId: correlationId)
        )
    }
}
