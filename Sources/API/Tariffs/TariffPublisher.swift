import Domain
import Ledger
import Pricing
import Projections

/// Records what changed between a tariffs file and the tariffs the ledger holds: a
/// `TariffPublished` for each new or changed tariff (and, when the IOP takes pushes, its PUT in the
/// outbox), a `TariffWithdrawn` for each no longer in the file, nothing for the unchanged ones.
/// Run by `ledger serve --tariffs` at start-up and by `ledger tariffs publish`.
public struct TariffPublisher: Sendable {
    /// Where a published tariff is PUT (OCPI 2.1.1 `mod_tariffs` §2.2: the CPO's country code and
    /// party id in the URL; not pushed to an IOP that lists no `tariffs` module); `nil`: not pushed (no IOP, or `--push-tariffs false` because the
    /// tariffs are in the roaming contract).
    let push: IOPEndpoint?
    let store: any ProjectionStore

    public init(store: any ProjectionStore, push: IOPEndpoint?) {
        self.store = store
        self.push = push
    }

    /// What one publication recorded.
    public struct Outcome: Sendable, Equatable, CustomStringConvertible {
        public var published: [String] = []
        public var withdrawn: [String] = []
        public var unchanged: [String] = []

        public var description: String {
            func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }
            return "tariffs published: \(list(published)); withdrawn: \(list(withdrawn)); unchanged: \(list(unchanged))"
        }
    }

    public func publish(_ catalog: TariffCatalog) async throws -> Outcome {
        let held = Dictionary(uniqueKeysWithValues: try await store.read(TariffsProjection.all).map { ($0.id, $0) })
        var outcome = Outcome()
        for entry in catalog.entries {
            let id = entry.tariff.id
            if held[id]?.current?.tariff == entry.object {
                outcome.unchanged.append(id)
                continue
            }
            let published = TariffPublished(tariffId: id, lastUpdated: entry.tariff.lastUpdated, tariff: entry.object, source: catalog.source)
            let metadata = EventMetadata(source: "tariffs:\(catalog.source)", correlationId: id)
            var events = [try EventCoding.newEvent(published, metadata: metadata)]
            if let push, let url = push.tariff(id) {
                let put = push.delivery(
                    // The version's number: unique even if a changed object kept its last_updated.
                    id: "tariff-put-\(id)-v\((held[id]?.versions.count ?? 0) + 1)",
                    kind: .tariffPut,
                    target: "tariff:\(id)",
                    method: "PUT",
                    url: url,
                    body: push.version == .v221
                        ? OCPI221Objects.tariff(entry.object, countryCode: push.countryCode, partyId: push.partyId) : entry.object
                )
                events.append(try EventCoding.newEvent(put, metadata: metadata))
            }
            _ = try await store.append(events, to: StreamID.tariff(id), expectedVersion: .any)
            outcome.published.append(id)
        }
        for (id, state) in held.sorted(by: { $0.key < $1.key }) where catalog.entry(id) == nil {
            guard let current = state.current else { continue }
            let withdrawn = TariffWithdrawn(tariffId: id, lastUpdated: current.lastUpdated, source: catalog.source)
            let metadata = EventMetadata(source: "tariffs:\(catalog.source)", correlationId: id)
            _ = try await store.append([try EventCoding.newEvent(withdrawn, metadata: metadata)], to: StreamID.tariff(id), expectedVersion: .any)
            outcome.withdrawn.append(id)
        }
        return outcome
    }
}
