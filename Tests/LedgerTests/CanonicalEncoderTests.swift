import Foundation
import Ledger
import Testing

/// `CanonicalEncoder` writes what `JSONEncoder` (sorted keys, unescaped slashes) writes, so rows
/// and events encoded before it compare equal to those encoded after — and its text is canonical.
@Suite("Canonical encoder")
struct CanonicalEncoderTests {
    struct Sample: Codable, Equatable {
        struct Inner: Codable, Equatable {
            var name: String
            var tags: [String]
            var when: Timestamp?

            /// Spelled out for `CanonicalWriterTests`, which writes this type too.
            enum CodingKeys: String, CodingKey { case name, tags, when }
        }

        enum Kind: String, Codable {
            case remote = "REMOTE"
            case local = "LOCAL"
        }

        var text: String
        var numbers: [Double]
        var integers: [Int64]
        var small: [Int8]
        var unsigned: UInt64
        var flag: Bool
        var missing: String?
        var explicitNull: String?
        var kind: Kind
        var map: [String: Int]
        var nested: [Inner]
        var matrix: [[Int]]
        var empty: [String]
        var emptyMap: [String: String]

        enum CodingKeys: String, CodingKey {
            case text, numbers, integers, small, unsigned, flag, missing, kind, map, nested, matrix, empty
            case explicitNull = "explicit_null"
            case emptyMap = "empty_map"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(numbers, forKey: .numbers)
            try container.encode(integers, forKey: .integers)
            try container.encode(small, forKey: .small)
            try container.encode(unsigned, forKey: .unsigned)
            try container.encode(flag, forKey: .flag)
            try container.encodeIfPresent(missing, forKey: .missing)
            try container.encode(explicitNull, forKey: .explicitNull)
            try container.encode(kind, forKey: .kind)
            try container.encode(map, forKey: .map)
            try container.encode(nested, forKey: .nested)
            try container.encode(matrix, forKey: .matrix)
            try container.encode(empty, forKey: .empty)
            try container.encode(emptyMap, forKey: .emptyMap)
        }
    }

    static let foundation: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let samples: [Sample] = [
        Sample(
            text: "quote \" backslash \\ slash / tab \t newline \n cr \r bell \u{7} nul \u{0} del \u{7F} é 😀 \u{2028}",
            numbers: [0, -0.0, 7, 6.5, 0.1, 0.2667, 1e-05, 1e21, 123456.789, -2.5e-300, 1.7976931348623157e308],
            integers: [0, -1, Int64.max, Int64.min],
            small: [-128, 127],
            unsigned: UInt64.max,
            flag: true,
            missing: nil,
            explicitNull: nil,
            kind: .remote,
            map: ["é": 1, "e": 2, "Z": 3, "a_b": 4, "a": 5, "": 6],
            nested: [
                Sample.Inner(name: "x", tags: ["b", "a"], when: Timestamp(iso8601: "2026-03-12T08:30:00.125Z")),
                Sample.Inner(name: "", tags: [], when: nil),
            ],
            matrix: [[1, 2], [], [3]],
            empty: [],
            emptyMap: [:]
        ),
        Sample(
            text: "",
            numbers: [],
            integers: [],
            small: [],
            unsigned: 0,
            flag: false,
            missing: "here",
            explicitNull: "set",
            kind: .local,
            map: [:],
            nested: [],
            matrix: [],
            empty: [],
            emptyMap: ["k": "v"]
        ),
    ]

    @Test("writes byte for byte what JSONEncoder with sorted keys writes", arguments: samples.indices)
    func sameAsFoundation(index: Int) throws {
        let sample = Self.samples[index]
        let ours = try CanonicalEncoder.text(of: sample)
        let theirs = String(decoding: try Self.foundation.encode(sample), as: UTF8.self)
        #expect(ours == theirs)
    }

    @Test("its text is already canonical and decodes back to the same value", arguments: samples.indices)
    func canonicalAndRoundTrips(index: Int) throws {
        let text = try CanonicalEncoder.text(of: Self.samples[index])
        #expect(try CanonicalJSON(parsing: text).text == text)
        #expect(try CanonicalEncoder.value(of: Self.samples[index]) == JSONValue(parsing: text))
        var decoded = try JSONDecoder().decode(Sample.self, from: Data(text.utf8))
        decoded.numbers = decoded.numbers.map { $0 == 0 ? 0 : $0 }  // -0.0 is written as "-0"
        var expected = Self.samples[index]
        expected.numbers = expected.numbers.map { $0 == 0 ? 0 : $0 }
        #expect(decoded == expected)
    }

    @Test("a key encoded twice keeps its last value, as JSONEncoder does")
    func repeatedKey() throws {
        struct Twice: Encodable {
            enum Key: String, CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(1, forKey: .b)
                try container.encode("first", forKey: .a)
                try container.encode("second", forKey: .a)
            }
        }
        #expect(try CanonicalEncoder.text(of: Twice()) == String(decoding: try Self.foundation.encode(Twice()), as: UTF8.self))
    }

    @Test("a number JSON cannot hold is an error naming its place, not a corrupt document", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(value: Double) {
        #expect(throws: EncodingError.self) { try CanonicalEncoder.text(of: ["reading": [value]]) }
    }
}
