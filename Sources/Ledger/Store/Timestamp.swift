import Foundation

/// A UTC instant with millisecond precision, written as `2026-11-25T12:44:07.123Z`.
///
/// The ledger stores and hashes this text, so it has one spelling: always three fractional
/// digits and `Z`. Formatting is done by hand (civil-from-days) because it runs on every append
/// and must not depend on locale or formatter state.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.millisecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    public var description: String { iso8601 }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var iso8601: String {
        let fields = civilFields
        guard fields.hasFourDigitYear else { return fields.wideYearText }
        // Spelled straight into the string's storage: one allocation, where an array of bytes
        // and a string made of it were two (row columns hold a timestamp or two per row).
        return String(unsafeUninitializedCapacity: 24) { text in
            fields.spell(into: text)
            return 24
        }
    }

    /// Appends the `iso8601` text: into a fixed 24-byte buffer, then in one append, because row
    /// encoding writes several timestamps per row and a replay writes every row (a string, an
    /// append per digit and a division by a variable divisor per digit each showed in profiles).
    @usableFromInline func write(to bytes: inout [UInt8]) {
        let fields = civilFields
        guard fields.hasFourDigitYear else { return bytes.append(contentsOf: fields.wideYearText.utf8) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
            fields.spell(into: text)
            bytes.append(contentsOf: text)
        }
    }

    private var civilFields: CivilFields {
        let (days, msOfDay) = millisecondsSinceEpoch.floorDivided(by: 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        return CivilFields(year: year, month: month, day: day, msOfDay: msOfDay)
    }

    /// The calendar fields of a timestamp, and their spellings.
    private struct CivilFields {
        let year, month, day, msOfDay: Int64

        var hasFourDigitYear: Bool { (0...9999).contains(year) }

        /// A year outside four digits (no clock gives one, and `init(iso8601:)` reads none back),
        /// spelled by the general formatter rather than cut to four digits.
        var wideYearText: String {
            String(
                format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                year,
                month,
                day,
                msOfDay / 3_600_000,
                msOfDay / 60_000 % 60,
                msOfDay / 1000 % 60,
                msOfDay % 1000
            )
        }

        /// Fills the 24 bytes of `text` (a year of four digits only).
        func spell(into text: UnsafeMutableBufferPointer<UInt8>) {
            let zero = UInt8(ascii: "0")
            func two(_ value: Int64, at index: Int) {
                text[index] = zero + UInt8(truncatingIfNeeded: value / 10)
                text[index + 1] = zero + UInt8(truncatingIfNeeded: value % 10)
            }
            two(year / 100, at: 0)
            two(year % 100, at: 2)
            text[4] = UInt8(ascii: "-")
            two(month, at: 5)
            text[7] = UInt8(ascii: "-")
            two(day, at: 8)
            text[10] = UInt8(ascii: "T")
            two(msOfDay / 3_600_000, at: 11)
            text[13] = UInt8(ascii: ":")
            two(msOfDay / 60_000 % 60, at: 14)
            text[16] = UInt8(ascii: ":")
            two(msOfDay / 1000 % 60, at: 17)
            text[19] = UInt8(ascii: ".")
            text[20] = zero + UInt8(truncatingIfNeeded: msOfDay % 1000 / 100)
            two(msOfDay % 100, at: 21)
            text[23] = UInt8(ascii: "Z")
        }
    }

    /// Parses RFC 3339 UTC text: `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (fraction truncated to ms).
    /// OCPI 2.1.1 timestamps are UTC and may omit the `Z`; that form is accepted too.
    public init?(iso8601 text: String) {
        var text = text
        guard let parsed = text.withUTF8(Self.init(iso8601:)) else { return nil }
        self = parsed
    }

    /// The same, from UTF-8 bytes as SQLite returns them (every event read carries one).
    init?(iso8601 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count >= 19 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for index in from..<(from + count) {
                let byte = bytes[index]
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var millisecond: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                if digits < 3 { millisecond = millisecond * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millisecond *= 10 } }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "Z") { index += 1 }
        guard index == bytes.count else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        guard Self.civil(fromDays: days) == (year, month, day) else { return nil }  // e.g. 2026-02-30
        self.millisecondsSinceEpoch = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, public domain).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let timestamp = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 UTC timestamp: \(text)")
        }
        self = timestamp
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Int64 {
    /// Floor division with a non-negative remainder, so instants before 1970 format correctly.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = (self >= 0 ? self : self - divisor + 1) / divisor
        return (quotient, self - quotient * divisor)
    }
}

extension Duration {
    /// Whole milliseconds: the ledger's timestamps count in them (and PostgreSQL's timeouts).
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole nanoseconds: what NIO's time amounts, Dispatch's waits and swift-metrics' timers take.
    public var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
