/// A day of the week in a `day_of_week` restriction (OCPI 2.1.1 `mod_tariffs.md` §4.1), read in the
/// Location's local time (digest §1.4.2 [REC]).
public enum DayOfWeek: String, Codable, Sendable, CaseIterable {
    case monday = "MONDAY"
    case tuesday = "TUESDAY"
    case wednesday = "WEDNESDAY"
    case thursday = "THURSDAY"
    case friday = "FRIDAY"
    case saturday = "SATURDAY"
    case sunday = "SUNDAY"

    /// Decodes the OCPI name, saying which names are valid when it is none of them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let day = DayOfWeek(rawValue: name) else {
            let expected = DayOfWeek.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown day \"\(name)\": expected \(expected)")
        }
        self = day
    }

    /// The weekday of a civil day counted from 1970-01-01, which was a Thursday.
    init(civilDay: Int) {
        let mondayBased = ((civilDay % 7) + 7 + 3) % 7
        self = DayOfWeek.allCases[mondayBased]
    }
}
