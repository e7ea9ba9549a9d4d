import Foundation
import Ledger
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test(
        "RFC 3339 UTC text parses to the millisecond and formats in one spelling",
        arguments: [
            ("2026-11-25T12:44:07Z", "2026-11-25T12:44:07.000Z"),
            ("2026-11-25T12:44:07.1Z", "2026-11-25T12:44:07.100Z"),
            ("2026-11-25T12:44:07.123456Z", "2026-11-25T12:44:07.123Z"),
            ("2015-06-29T20:39:09", "2015-06-29T20:39:09.000Z"),
            ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"),
            ("1969-12-31T23:59:59.500Z", "1969-12-31T23:59:59.500Z"),
        ]
    )
    func roundTrip(input: String, canonical: String) throws {
        let timestamp = try #require(Timestamp(iso8601: input))
        #expect(timestamp.iso8601 == canonical)
        #expect(Timestamp(iso8601: canonical) == timestamp)
    }

    @Test("matches Foundation's idea of the same instant")
    func agreesWithFoundation() throws {
        let date = Date(timeIntervalSince1970: 1_764_074_647.123)
        #expect(Timestamp(date).iso8601 == "2025-11-25T12:44:07.123Z")
        #expect(Timestamp(iso8601: "2025-11-25T12:44:07.123Z")?.date == date)
    }

    @Test("every field formats as Foundation formats it, across years and milliseconds")
    func formatsLikeFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var random = SystemRandomNumberGenerator()
        // 1600-01-01 (Foundation's calendar is Julian before 1582) to 9999-12-31, and the edges
        // of days, years and the epoch.
        let edges: [Int64] = [-11_676_096_000_000, 253_402_300_799_999, -1, 0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000]
        for milliseconds in edges + (0..<2_000).map({ _ in Int64.random(in: -11_676_096_000_000...253_402_300_799_999, using: &random) }) {
            let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            #expect(timestamp.iso8601 == formatter.string(from: timestamp.date), "\(milliseconds)")
            #expect(Timestamp(iso8601: timestamp.iso8601) == timestamp)
        }
    }

    @Test("a year past 9999 is spelled in full, as text and as canonical JSON, not cut to four digits")
    func wideYear() throws {
        let timestamp = Timestamp(millisecondsSinceEpoch: 253_402_300_800_000)
        #expect(timestamp.iso8601 == "10000-01-01T00:00:00.000Z")
        #expect(try CanonicalWriter.text(of: timestamp) == "\"10000-01-01T00:00:00.000Z\"")
    }

    @Test(
        "malformed or impossible times are refused",
        arguments: [
            "", "2026-11-25", "2026-11-25 12:44:07Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
            "2026-11-25T24:00:00Z", "2026-11-25T12:44:07+01:00", "2026-11-25T12:44:07.Z", "2026-11-25T12:44:07ZZ",
        ]
    )
    func refused(input: String) {
        #expect(Timestamp(iso8601: input) == nil)
    }
}
