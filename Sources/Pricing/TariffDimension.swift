/// What a PriceComponent prices (OCPI 2.1.1 `mod_tariffs.md` §4.4, digest §1.1). Nothing else is
/// valid in 2.1.1: Gireve's announced `SESSION_TIME` is refused (digest §1.3, TR-03).
public enum TariffDimension: String, Codable, Sendable, CaseIterable {
    /// A fixed fee, charged once per session (digest §1.4.6 [REC]).
    case flat = "FLAT"
    /// Per kWh; `step_size` in Wh.
    case energy = "ENERGY"
    /// Per hour charging; `step_size` in seconds.
    case time = "TIME"
    /// Per hour not charging; `step_size` in seconds.
    case parkingTime = "PARKING_TIME"

    /// Decodes the OCPI name, saying which names are valid when it is none of them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let dimension = TariffDimension(rawValue: name) else {
            let expected = TariffDimension.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown dimension \"\(name)\": expected \(expected)")
        }
        self = dimension
    }
}
