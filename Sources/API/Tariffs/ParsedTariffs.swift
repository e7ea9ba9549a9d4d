import Foundation
import Ledger
import Pricing
import Projections
import Synchronization

/// Tariff versions parsed for pricing, by the log position of their publication: every stop
/// priced its tariff from the projection's JSON again (`JSONDecoder`, 3 % of a StopTransaction's
/// CPU in the 10,000-charger stop storm), where a few tariffs price all sessions.
///
/// A position names one publication, whose object never changes, so an entry is never stale —
/// unlike (id, `last_updated`), which a re-publication reuses with other content. One per server
/// (positions are one ledger's); bounded, emptied when full: a miss costs one parse.
final class ParsedTariffs: Sendable {
    private let byPosition = Mutex<[Int64: Tariff]>([:])
    static let capacity = 256

    func tariff(_ version: TariffsProjection.State.Version) throws -> Tariff {
        if let parsed = byPosition.withLock({ $0[version.position] }) { return parsed }
        let parsed = try Tariff.decode(Data(version.tariff.canonicalText.utf8))
        byPosition.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[version.position] = parsed
        }
        return parsed
    }
}
