import Foundation
import Ledger

/// An OCPP transaction id, as text: OCPP 2.0.1 stations choose theirs (a string of up to 36
/// characters, unique per station and case-insensitive), OCPP 1.6 ids are the ledger's own
/// integers, kept as their decimal text.
///
/// Written the way it was received, so that every event recorded before 2.0.1 re-encodes byte
/// for byte: a 1.6 id as a JSON number, a 2.0.1 id as a string. Two ids are the same id when
/// their text is; `matches(_:)` compares the way OCPP 2.0.1 does, ignoring case.
public struct TransactionId: Sendable, Hashable, Codable, CustomStringConvertible, CanonicalReadable, CanonicalWritable,
    ExpressibleByIntegerLiteral
{
    public let text: String
    /// The ledger's integer id of an OCPP 1.6 transaction; `nil` for a station's.
    public let number: Int?

    /// An OCPP 1.6 transaction id, which the ledger chose.
    public init(ocpp16 number: Int) {
        self.text = String(number)
        self.number = number
    }

    /// An OCPP 2.0.1 `transactionId`, which the station chose.
    public init(station text: String) {
        self.text = text
        self.number = nil
    }

    public var description: String { text }

    /// A literal is a 1.6 id, as every id was before 2.0.1.
    public init(integerLiteral number: Int) { self.init(ocpp16: number) }

    /// The same transaction of one station, as OCPP 2.0.1 compares its identifierString: ignoring case.
    public func matches(_ other: String) -> Bool { text.caseInsensitiveCompare(other) == .orderedSame }

    public init(reading value: CanonicalValue) throws {
        if let number = try? Int(reading: value) { self.init(ocpp16: number) } else { self.init(station: try String(reading: value)) }
    }

    public func write(to writer: inout CanonicalWriter) {
        if let number { number.write(to: &writer) } else { text.write(to: &writer) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) { self.init(ocpp16: number) } else { self.init(station: try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let number { try container.encode(number) } else { try container.encode(text) }
    }
}
