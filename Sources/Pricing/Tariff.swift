import Foundation

/// One price of a TariffElement (OCPI 2.1.1 `mod_tariffs.md` §4.2): `price` per unit excluding VAT,
/// billed in blocks of `step_size` (Wh for ENERGY, seconds for TIME and PARKING_TIME, ignored for FLAT).
public struct PriceComponent: Codable, Sendable, Equatable {
    public var type: TariffDimension
    public var price: Decimal
    public var stepSize: Int

    public init(type: TariffDimension, price: Decimal, stepSize: Int) {
        self.type = type
        self.price = price
        self.stepSize = stepSize
    }

    enum CodingKeys: String, CodingKey {
        case type
        case price
        case stepSize = "step_size"
    }
}

/// When a TariffElement applies (OCPI 2.1.1 `mod_tariffs.md` §4.5); every field is optional and they
/// combine with AND. How each is evaluated is the table of digest §1.4.2 (see `ElementSelection`).
public struct TariffRestrictions: Codable, Sendable, Equatable {
    /// Local wall-clock `HH:MM`; `end_time` before `start_time` wraps past midnight, `00:00` ends the day.
    public var startTime: String?
    public var endTime: String?
    /// Local `YYYY-MM-DD`; `start_date` inclusive, `end_date` exclusive.
    public var startDate: String?
    public var endDate: String?
    /// Energy of the session so far, kWh; min inclusive, max exclusive.
    public var minKwh: Decimal?
    public var maxKwh: Decimal?
    /// Current charging power, kW (not A: digest §1.4.2 [AMBIG]); min inclusive, max exclusive.
    public var minPower: Decimal?
    public var maxPower: Decimal?
    /// Seconds since the session started; min inclusive, max exclusive.
    public var minDuration: Int?
    public var maxDuration: Int?
    /// Local weekdays; absent or empty means every day.
    public var dayOfWeek: [DayOfWeek]?

    public init(
        startTime: String? = nil,
        endTime: String? = nil,
        startDate: String? = nil,
        endDate: String? = nil,
        minKwh: Decimal? = nil,
        maxKwh: Decimal? = nil,
        minPower: Decimal? = nil,
        maxPower: Decimal? = nil,
        minDuration: Int? = nil,
        maxDuration: Int? = nil,
        dayOfWeek: [DayOfWeek]? = nil
    ) {
        self.startTime = startTime
        self.endTime = endTime
        self.startDate = startDate
        self.endDate = endDate
        self.minKwh = minKwh
        self.maxKwh = maxKwh
        self.minPower = minPower
        self.maxPower = maxPower
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.dayOfWeek = dayOfWeek
    }

    enum CodingKeys: String, CodingKey {
        case startTime = "start_time"
        case endTime = "end_time"
        case startDate = "start_date"
        case endDate = "end_date"
        case minKwh = "min_kwh"
        case maxKwh = "max_kwh"
        case minPower = "min_power"
        case maxPower = "max_power"
        case minDuration = "min_duration"
        case maxDuration = "max_duration"
        case dayOfWeek = "day_of_week"
    }
}

/// Prices and the restrictions under which they apply (OCPI 2.1.1 `mod_tariffs.md` §4.3).
public struct TariffElement: Codable, Sendable, Equatable {
    public var priceComponents: [PriceComponent]
    public var restrictions: TariffRestrictions?

    public init(priceComponents: [PriceComponent], restrictions: TariffRestrictions? = nil) {
        self.priceComponents = priceComponents
        self.restrictions = restrictions
    }

    enum CodingKeys: String, CodingKey {
        case priceComponents = "price_components"
        case restrictions
    }
}

/// Only what pricing needs; the caller keeps the whole OCPI object as JSON. Unknown extra fields are ignored.
///
/// OCPI 2.1.1 `mod_tariffs.md` §3.1 (digest §1.1): the order of `elements` matters, the first
/// matching element wins per dimension (digest §1.4.1 [REC]).
public struct Tariff: Codable, Sendable, Equatable {
    public var id: String
    public var currency: String
    public var elements: [TariffElement]
    public var lastUpdated: String

    public init(id: String, currency: String, elements: [TariffElement], lastUpdated: String) {
        self.id = id
        self.currency = currency
        self.elements = elements
        self.lastUpdated = lastUpdated
    }

    enum CodingKeys: String, CodingKey {
        case id
        case currency
        case elements
        case lastUpdated = "last_updated"
    }
}
