import Domain
import Ledger
import Projections

/// Records the Locations of a locations file that are new or changed since they were last
/// published — a `LocationPublished` each, with the PUT of the Location as the IOP pulls it (live
/// EVSE statuses included) when an IOP takes pushes — and nothing for the unchanged ones. Run by
/// `ledger serve` at start-up, after the file passed its checks.
public struct LocationPublisher: Sendable {
    let store: any ProjectionStore
    /// Where a Location is PUT (`{locations}/{cc}/{party}/{id}`); `nil`: not pushed.
    let push: IOPEndpoint?

    public init(store: any ProjectionStore, push: IOPEndpoint?) {
        self.store = store
        self.push = push
    }

    /// The ids of the Locations published, in the file's order.
    public func publish(_ locations: LocationRegistry, source: String) async throws -> [String] {
        let (held, statuses) = try await store.withProjectionSnapshot { database in
            (try database.fetch(PublishedLocationsProjection.all), try database.fetch(EvseStatusesProjection.all))
        }
        let served = LocationObjects(locations: locations, statuses: statuses)
        var published: [String] = []
        for id in locations.locationIds {
            guard let location = locations.published(id), held[id]?.location != location else { continue }
            let metadata = EventMetadata(source: "locations:\(source)", correlationId: id)
            var events = [try EventCoding.newEvent(LocationPublished(locationId: id, location: location, source: source), metadata: metadata)]
            if let push, let url = push.location(id), let object = served.location(id)?.object {
                let put = push.delivery(
                    id: "location-put-\(id)-v\((held[id]?.versions ?? 0) + 1)",
                    kind: .locationPut,
                    target: "location:\(id)",
                    method: "PUT",
                    url: url,
                    body: push.version == .v221 ? OCPI221Objects.location(object, countryCode: push.countryCode, partyId: push.partyId) : object
                )
                events.append(try EventCoding.newEvent(put, metadata: metadata))
            }
            _ = try await store.append(events, to: StreamID.location(id), expectedVersion: .any)
            published.append(id)
        }
        return published
    }
}
