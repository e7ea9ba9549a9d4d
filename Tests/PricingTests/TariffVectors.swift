import Foundation
import Pricing
import Testing

/// The digest's §2 vectors T-01…T-36, from `Vectors/tariff-vectors.json`: each an OCPI tariff, a
/// session description (`ChargingSession.decode` format) and the expected CDR figures, numbers
/// as strings so they stay exact. The `ledger price` CLI tests read the same file.
struct TariffVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        struct Period: Decodable, Sendable {
            struct Dimension: Decodable, Sendable {
                var type: String
                var volume: String
            }

            var startDateTime: String
            var dimensions: [Dimension]

            enum CodingKeys: String, CodingKey {
                case startDateTime = "start_date_time"
                case dimensions
            }
        }

        var totalCost: String
        /// Null where the digest's exact cost is a repeating decimal ("0.333333…").
        var exactCost: String?
        var totalEnergy: String
        var totalTime: String
        var totalParkingTime: String
        var chargingPeriods: [Period]

        enum CodingKeys: String, CodingKey {
            case totalCost = "total_cost"
            case exactCost = "exact_cost"
            case totalEnergy = "total_energy"
            case totalTime = "total_time"
            case totalParkingTime = "total_parking_time"
            case chargingPeriods = "charging_periods"
        }
    }

    var id: String
    var tariff: JSONValue
    var session: JSONValue
    var expected: Expected

    var testDescription: String { id }

    static func all() throws -> [TariffVector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Vectors/tariff-vectors.json")
        return try JSONDecoder().decode([TariffVector].self, from: Data(contentsOf: url))
    }

    func decodedTariff() throws -> Tariff {
        try Tariff.decode(tariff.data)
    }

    func decodedSession() throws -> ChargingSession {
        try ChargingSession.decode(session.data)
    }
}

/// A JSON document kept as written, numbers as `Decimal`, so a fixture's tariff or session can be
/// handed to the decoders under test byte-for-number identical.
enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    var data: Data {
        get throws { try JSONEncoder().encode(self) }
    }
}

/// `"2024-06-04T08:00:00Z"` as a `Date`, for building and comparing sessions in tests.
func utc(_ text: String) -> Date {
    var strategy = Date.ISO8601FormatStyle()
    strategy.timeZone = TimeZone(identifier: "UTC")!
    return try! strategy.parse(text)
}

func decimal(_ text: String) -> Decimal {
    Decimal(string: text)!
}
