import CanonicalCoding
import Domain
import Ledger

/// Each Location as last published (`LocationPublished`), by id: what a locations file is
/// compared with at start-up, so only a new or changed Location is recorded and PUT.
public struct PublishedLocationsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var locationId: String
        public var location: JSONValue
        public var publishedAt: Timestamp
        /// How many times it was published, the first included.
        public var versions: Int
    }

    public static let name = "published_locations"
    public static let columnNames: [String] = []

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        guard case .locationPublished(let e) = event else { return nil }
        return e.locationId
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        guard case .locationPublished(let e) = logged.event else { return }
        state = State(locationId: e.locationId, location: e.location, publishedAt: logged.recordedAt, versions: (state?.versions ?? 0) + 1)
    }

    public func columns(_ state: State) -> [SQLValue] { [] }
}
