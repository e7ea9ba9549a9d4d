import Foundation

/// The calendar texts OCPI 2.1.1 uses, read without `DateFormatter` (locale- and platform-free):
/// `HH:MM` times of day, `YYYY-MM-DD` dates and ISO 8601 date-times (digest §1.1 primitive types).
enum CivilTime {
    /// Minutes since midnight of an `HH:MM` restriction, or nil when it does not match the 2.1.1
    /// regex `([0-1][0-9]|2[0-3]):[0-5][0-9]` (the bug-fixed one of S211; `24:00` and `9:00` fail, TR-04).
    static func minutesOfDay(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"), let hours = number(bytes, 0, 2), let minutes = number(bytes, 3, 2),
            hours < 24, minutes < 60
        else { return nil }
        return hours * 60 + minutes
    }

    /// Days since 1970-01-01 of a real `YYYY-MM-DD` date (2024-02-30 is not one), else nil.
    static func day(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, let (year, month, day) = date(bytes), isReal(year: year, month: month, day: day) else { return nil }
        return days(year: year, month: month, day: day)
    }

    /// An ISO 8601 date-time as OCPI sends it: `2015-06-29T20:39:09Z`, optionally with fractional
    /// seconds, and with `Z`, a `±HH:MM` offset, or nothing (2.1.1 `types.md`: absence means UTC).
    /// Read byte by byte: a CDR is priced at every stop, and a regex literal is compiled again each
    /// time it is evaluated (it was most of a stop's pricing; docs/performance.md, issue 31).
    static func dateTime(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let (year, month, day) = date(bytes), let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2),
            let second = number(bytes, 17, 2), isReal(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
        else { return nil }
        var seconds = Decimal(days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second)
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            let digits = bytes[(index + 1)...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            guard !digits.isEmpty, let value = Decimal(string: "0." + String(decoding: digits, as: UTF8.self)) else { return nil }
            seconds += value
            index += 1 + digits.count
        }
        switch bytes.count - index {
        case 0:
            break
        case 1 where bytes[index] == UInt8(ascii: "Z"):
            break
        case 6 where (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) && bytes[index + 3] == UInt8(ascii: ":"):
            guard let offsetHours = number(bytes, index + 1, 2), let offsetMinutes = number(bytes, index + 4, 2), offsetHours < 24,
                offsetMinutes < 60
            else { return nil }
            let offset = Decimal(offsetHours * 3_600 + offsetMinutes * 60)
            seconds += bytes[index] == UInt8(ascii: "+") ? -offset : offset
        default:
            return nil
        }
        return Date(timeIntervalSince1970: NSDecimalNumber(decimal: seconds).doubleValue)
    }

    /// `YYYY-MM-DD` at the start of `bytes`, its numbers unchecked.
    private static func date(_ bytes: [UInt8]) -> (Int, Int, Int)? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), let year = number(bytes, 0, 4), let month = number(bytes, 5, 2),
            let day = number(bytes, 8, 2)
        else { return nil }
        return (year, month, day)
    }

    /// The decimal number of `count` ASCII digits at `start`, nil if one is not a digit.
    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<(start + count)] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func isReal(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
