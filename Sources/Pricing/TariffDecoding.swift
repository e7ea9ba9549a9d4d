import Foundation

extension Tariff {
    /// Decodes one OCPI 2.1.1 Tariff object (JSONDecoder: Decimal numbers decode exactly). A
    /// DecodingError becomes a TariffProblem whose path is the coding path (e.g.
    /// `elements[1].price_components[0].type`) and whose reason says what is wrong (unknown dimension
    /// "SESSION_TIME": expected ENERGY, FLAT, PARKING_TIME, TIME; missing field; wrong type).
    ///
    /// Decoding checks only the shape; `problems()` checks the values.
    public static func decode(_ json: Data) throws(TariffProblem) -> Tariff {
        do {
            return try JSONDecoder().decode(Tariff.self, from: json)
        } catch let error as DecodingError {
            throw TariffProblem(error)
        } catch {
            throw TariffProblem(path: "", reason: "not a tariff: \(error)")
        }
    }
}
