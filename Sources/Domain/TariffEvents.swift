import CanonicalCoding
import Ledger

/// An OCPI 2.1.1 Tariff, new or changed, as the CPO published it (`--tariffs`, `ledger tariffs
/// publish`). The whole object is kept, so a CDR priced with it years later can be explained from
/// the log alone, whatever the tariff has become since. Publishing the same object again records
/// nothing.
@Canonical
public struct TariffPublished: DomainEventPayload {
    public static let eventType = "TariffPublished"
    public var tariffId: String
    /// The object's `last_updated`: with the id, the version a session is priced with.
    public var lastUpdated: String
    /// The Tariff object exactly as published (OCPI 2.1.1 `mod_tariffs` §3.1).
    public var tariff: JSONValue
    /// Where it came from: the tariffs file's path.
    public var source: String

    public init(tariffId: String, lastUpdated: String, tariff: JSONValue, source: String) {
        self.tariffId = tariffId
        self.lastUpdated = lastUpdated
        self.tariff = tariff
        self.source = source
    }
}

/// A tariff no longer offered: absent from the tariffs file now published. Sessions already
/// started keep the version they started with; the Tariffs module stops listing it. Gireve's IOP
/// takes no DELETE for tariffs in 2.1.1, so nothing is pushed (spec digest §1.3 [REC]).
@Canonical
public struct TariffWithdrawn: DomainEventPayload {
    public static let eventType = "TariffWithdrawn"
    public var tariffId: String
    /// The version withdrawn.
    public var lastUpdated: String
    public var source: String

    public init(tariffId: String, lastUpdated: String, source: String) {
        self.tariffId = tariffId
        self.lastUpdated = lastUpdated
        self.source = source
    }
}

/// Which version of which tariff: a tariff's id and its `last_updated`.
@Canonical
public struct TariffVersion: Codable, Sendable, Equatable, Hashable, CanonicalReadable, CanonicalWritable {
    public var id: String
    public var lastUpdated: String

    public init(id: String, lastUpdated: String) {
        self.id = id
        self.lastUpdated = lastUpdated
    }

    public var description: String { "\(id) (last_updated \(lastUpdated))" }
}
