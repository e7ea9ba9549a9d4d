import Foundation
import Testing

@testable import Pricing

/// The calendar texts of OCPI 2.1.1, read by hand (no regex): exactly the forms the digest's
/// patterns allow, and nothing near them.
@Suite("Calendar texts")
struct CivilTimeTests {
    @Test("HH:MM from 00:00 to 23:59 is read; 24:00, 9:00 and anything longer or lettered is not")
    func timesOfDay() {
        #expect(CivilTime.minutesOfDay("00:00") == 0)
        #expect(CivilTime.minutesOfDay("07:30") == 450)
        #expect(CivilTime.minutesOfDay("23:59") == 1_439)
        for refused in ["24:00", "9:00", "09:60", "09-00", "09:00 ", "0a:00", "", "123:00", "+9:00"] {
            #expect(CivilTime.minutesOfDay(refused) == nil, "\(refused)")
        }
    }

    @Test("YYYY-MM-DD of a real date is read; 2023-02-29, 2024-13-01 and other shapes are not")
    func dates() {
        #expect(CivilTime.day("1970-01-01") == 0)
        #expect(CivilTime.day("2024-02-29") == 19_782)
        for refused in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "2024/01/01", "2024-01-01T"] {
            #expect(CivilTime.day(refused) == nil, "\(refused)")
        }
    }

    @Test("date-times with Z, an offset, nothing, or fractional seconds are read; malformed ones are not")
    func dateTimes() {
        let utc = Date(timeIntervalSince1970: 1_435_610_349)  // 2015-06-29T20:39:09Z
        #expect(CivilTime.dateTime("2015-06-29T20:39:09Z") == utc)
        #expect(CivilTime.dateTime("2015-06-29T20:39:09") == utc)
        #expect(CivilTime.dateTime("2015-06-29T22:39:09+02:00") == utc)
        #expect(CivilTime.dateTime("2015-06-29T19:39:09-01:00") == utc)
        #expect(CivilTime.dateTime("2015-06-29T20:39:09.250Z") == utc.addingTimeInterval(0.25))
        for refused in [
            "2015-06-29 20:39:09Z", "2015-06-29T24:00:00Z", "2015-06-29T20:39:09.Z", "2015-06-29T20:39:09+0200", "2015-06-29T20:39:09ZZ",
            "2015-02-30T20:39:09Z", "2015-06-29T20:39:09+24:00", "2015-06-29T20:39",
        ] {
            #expect(CivilTime.dateTime(refused) == nil, "\(refused)")
        }
    }
}
