import Foundation
import Ledger
import Pricing

/// The tariffs a CPO publishes (`--tariffs`, `ledger tariffs publish`): a JSON array of OCPI 2.1.1
/// Tariff objects, each checked before anything is recorded — a file with one bad tariff publishes
/// none of them, and says where each problem is.
public struct TariffCatalog: Sendable {
    /// One tariff, as the pricing engine reads it and as it is published (the object as written).
    public struct Entry: Sendable {
        public let tariff: Tariff
        public let object: JSONValue
    }

    /// In the file's order.
    public let entries: [Entry]
    /// Where it came from (recorded with each publication).
    public let source: String

    public var ids: Set<String> { Set(entries.map(\.tariff.id)) }

    public init(contentsOf url: URL) throws(RefusedFile) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RefusedFile(kind: "tariffs", file: url.path(), problems: ["cannot read it: \(error.localizedDescription)"])
        }
        try self.init(json: data, source: url.path())
    }

    public init(json: some Collection<UInt8>, source: String) throws(RefusedFile) {
        let document: JSONValue
        do { document = try JSONValue(parsing: json) } catch { throw RefusedFile(kind: "tariffs", file: source, problems: ["not JSON: \(error)"]) }
        guard case .array(let items) = document else {
            throw RefusedFile(kind: "tariffs", file: source, problems: ["expected a JSON array of OCPI 2.1.1 Tariff objects"])
        }
        var entries: [Entry] = []
        var problems: [String] = []
        var seen: Set<String> = []
        for (index, object) in items.enumerated() {
            let position = "[\(index)]" + (object["id"]?.stringValue.map { " (tariff \"\($0)\")" } ?? "")
            let tariff: Tariff
            do { tariff = try Tariff.decode(Data(object.canonicalText.utf8)) } catch {
                problems.append("\(position) \(error)")
                continue
            }
            let found = tariff.problems()
            problems += found.map { "\(position) \($0)" }
            if !seen.insert(tariff.id).inserted { problems.append("\(position) id \"\(tariff.id)\" appears twice") }
            if found.isEmpty { entries.append(Entry(tariff: tariff, object: object)) }
        }
        guard problems.isEmpty else { throw RefusedFile(kind: "tariffs", file: source, problems: problems) }
        self.entries = entries
        self.source = source
    }

    public func entry(_ id: String) -> Entry? { entries.first { $0.tariff.id == id } }

    /// What the locations name that is not here, or cannot be priced: a connector naming an
    /// unknown tariff, a priced location without a `time_zone` (the spec digest §1.4.2 [REC]: a
    /// tariff's times and days are the location's local time, and guessing a zone misprices).
    public func problems(with locations: LocationRegistry) -> [String] {
        var problems: [String] = []
        for evse in locations.allEVSEs {
            for tariffId in evse.tariffIds where entry(tariffId) == nil {
                problems.append("location \(evse.locationId) EVSE \(evse.uid) names tariff \"\(tariffId)\", which \(source) does not define")
            }
        }
        for locationId in Set(locations.allEVSEs.filter { !$0.tariffIds.isEmpty }.map(\.locationId)).sorted()
        where locations.timeZone(of: locationId) == nil {
            problems.append(
                "location \(locationId) names tariffs but has no valid \"time_zone\" (e.g. \"Europe/Paris\"): its tariffs' times and days are read in it"
            )
        }
        return problems
    }
}
