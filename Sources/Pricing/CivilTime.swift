import Foundation

/// The calendar texts OCPI 2.1.1 uses, read without `DateFormatter` (locale- and platform-free):
/// `HH:MM` times of day, `YYYY-MM-DD` dates and ISO 8601 date-times (digest §1.1 primitive types).
enum CivilTime {
    /// Minutes since midnight of an `HH:MM` restriction, or nil when it does not match the 2.1.1
    /// regex `([0-1][0-9]|2[0-3]):[0-5][0-9]` (the bug-fixed one of S211; `24:00` and `9:00` fail, TR-04).
    static func minutesOfDay(_ text: String) -> Int? {
        guard let match = text.wholeMatch(of: #/([0-1][0-9]|2[0-3]):([0-5][0-9])/#),
            let hours = Int(match.1), let minutes = Int(match.2)
        else { return nil }
        return hours * 60 + minutes
    }

    /// Days since 1970-01-01 of a real `YYYY-MM-DD` date (2024-02-30 is not one), else nil.
    static func day(_ text: String) -> Int? {
        guard let match = text.wholeMatch(of: #/([0-9]{4})-([0-9]{2})-([0-9]{2})/#),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
            isReal(year: year, month: month, day: day)
        else { return nil }
        return days(year: year, month: month, day: day)
    }

    /// An ISO 8601 date-time as OCPI sends it: `2015-06-29T20:39:09Z`, optionally with fractional
    /// seconds, and with `Z`, a `±HH:MM` offset, or nothing (2.1.1 `types.md`: absence means UTC).
    static func dateTime(_ text: String) -> Date? {
        let pattern = #/([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|([+-])([0-9]{2}):([0-9]{2}))?/#
        guard let match = text.wholeMatch(of: pattern),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
            let hour = Int(match.4), let minute = Int(match.5), let second = Int(match.6),
            isReal(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
        else { return nil }
        var seconds = Decimal(days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second)
        if let fraction = match.7, let value = Decimal(string: "0" + fraction) {
            seconds += value
        }
        if let sign = match.9, let offsetHours = match.10.flatMap({ Int($0) }), let offsetMinutes = match.11.flatMap({ Int($0) }) {
            guard offsetHours < 24, offsetMinutes < 60 else { return nil }
            let offset = Decimal(offsetHours * 3_600 + offsetMinutes * 60)
            seconds += sign == "+" ? -offset : offset
        }
        return Date(timeIntervalSince1970: NSDecimalNumber(decimal: seconds).doubleValue)
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
