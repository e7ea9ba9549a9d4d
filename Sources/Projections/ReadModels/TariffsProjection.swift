import CanonicalCoding
import Domain
import Ledger

/// Every version of every tariff ever published, by tariff id: the one in force now (the Tariffs
/// module serves it, new sessions are priced with it) and the older ones sessions that started
/// under them are priced with.
public struct TariffsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        @Canonical
        public struct Version: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var lastUpdated: String
            /// The Tariff object as published.
            public var tariff: JSONValue
            public var position: Int64
            public var publishedAt: Timestamp
        }

        public var id: String
        /// In the order published; the last is the current one unless withdrawn.
        public var versions: [Version]
        public var withdrawnAt: Timestamp?
        /// OCPI `last_updated` of the current version (what `date_from`/`date_to` filter on).
        public var lastUpdated: Timestamp
        public var positions: [Int64]

        /// The version in force, `nil` once withdrawn.
        public var current: Version? { withdrawnAt == nil ? versions.last : nil }

        /// The version a session recorded (`SessionStarted.tariff`), the latest of that `last_updated`.
        public func version(lastUpdated: String) -> Version? { versions.last { $0.lastUpdated == lastUpdated } }
    }

    public static let name = "tariffs"
    public static let columnNames = ["withdrawn", "last_updated"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .tariffPublished(let e): e.tariffId
        case .tariffWithdrawn(let e): e.tariffId
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        switch logged.event {
        case .tariffPublished(let e):
            let version = State.Version(lastUpdated: e.lastUpdated, tariff: e.tariff, position: logged.position, publishedAt: logged.recordedAt)
            // The object's own last_updated, as OCPI filters on it; the publication time if unreadable.
            let lastUpdated = Timestamp(iso8601: e.lastUpdated) ?? logged.recordedAt
            if state == nil {
                state = State(id: e.tariffId, versions: [version], lastUpdated: lastUpdated, positions: [logged.position])
            } else {
                state.update { state in
                    state.versions.append(version)
                    state.withdrawnAt = nil
                    state.lastUpdated = lastUpdated
                    state.positions.append(logged.position)
                }
            }
        case .tariffWithdrawn:
            state.update { state in
                state.withdrawnAt = logged.recordedAt
                state.positions.append(logged.position)
            }
        default:
            break
        }
    }

    public func columns(_ state: State) -> [SQLValue] {
        [.integer(state.withdrawnAt == nil ? 0 : 1), .text(state.lastUpdated.iso8601)]
    }

    public func lastPosition(_ state: State) -> Int64? { state.positions.last }
}
