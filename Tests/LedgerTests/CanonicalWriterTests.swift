import Foundation
import Ledger
import Testing

/// A `CanonicalWritable` conformance writes byte for byte what `CanonicalEncoder` writes for the
/// same value, so rows written by either compare equal.
@Suite("Canonical writer")
struct CanonicalWriterTests {
    struct Sample: Encodable, CanonicalWritable {
        typealias Inner = CanonicalEncoderTests.Sample.Inner

        // In canonical key order, as `write(to:)` lists them.
        var count: Int
        var empty: [String]
        var emptyMap: [String: String]
        var flag: Bool
        var integers: [Int64]
        var map: [String: Int]
        var matrix: [[Int]]
        var missing: String?
        var nested: [Inner]
        var numbers: [Double]
        var present: String?
        var text: String

        enum CodingKeys: String, CodingKey {
            case text, numbers, integers, count, flag, missing, present, map, nested, matrix, empty
            case emptyMap = "empty_map"
        }

        func write(to writer: inout CanonicalWriter) {
            writer.object { object in
                object.member(CodingKeys.count, count)
                object.member(CodingKeys.empty, empty)
                object.member(CodingKeys.emptyMap, emptyMap)
                object.member(CodingKeys.flag, flag)
                object.member(CodingKeys.integers, integers)
                object.member(CodingKeys.map, map)
                object.member(CodingKeys.matrix, matrix)
                object.member(CodingKeys.missing, missing)
                object.member(CodingKeys.nested, nested)
                object.member(CodingKeys.numbers, numbers)
                object.member(CodingKeys.present, present)
                object.member(CodingKeys.text, text)
            }
        }
    }

    /// Every ASCII byte at every place of a string long enough for the eight-byte escape scan,
    /// with multi-byte UTF-8 around it, escapes as JSON requires: `"`, `\\` and control
    /// characters, nothing else.
    @Test("each character that needs an escape is escaped wherever it stands in a string")
    func escapesEveryPlace() throws {
        func reference(_ text: String) -> String {
            let named: [UInt8: String] = [0x22: "\\\"", 0x5C: "\\\\", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x08: "\\b", 0x0C: "\\f"]
            return "\""
                + text.unicodeScalars.map { scalar in
                    guard scalar.value < 0x80, let byte = UInt8(exactly: scalar.value) else { return String(scalar) }
                    if let name = named[byte] { return name }
                    return byte < 0x20 ? String(format: "\\u%04x", byte) : String(scalar)
                }.joined() + "\""
        }
        for byte in UInt8(0)..<0x80 {
            for place in 0..<19 {
                var scalars = Array("abcdéfgh€ijklmnopq".unicodeScalars)
                scalars.insert(Unicode.Scalar(byte), at: place)
                let text = String(String.UnicodeScalarView(scalars))
                #expect(JSONValue.string(text).canonicalText == reference(text), "byte \(byte) at \(place)")
            }
        }
        #expect(JSONValue.string("").canonicalText == "\"\"")
    }

    static let samples: [Sample] = {
        let reference = CanonicalEncoderTests.samples[0]
        return [
            Sample(
                count: Int.min,
                empty: [],
                emptyMap: [:],
                flag: true,
                integers: reference.integers,
                map: reference.map,
                matrix: [[1, 2], [], [3]],
                missing: nil,
                nested: [
                    Sample.Inner(name: "x", tags: ["b", "a"], when: Timestamp(iso8601: "2026-03-12T08:30:00.125Z")),
                    Sample.Inner(name: "", tags: [], when: Timestamp(millisecondsSinceEpoch: -1)),
                ],
                numbers: reference.numbers,
                present: "\u{0}\u{1F}",
                text: reference.text
            ),
            Sample(
                count: 0,
                empty: [],
                emptyMap: ["k": "v"],
                flag: false,
                integers: [],
                map: [:],
                matrix: [],
                missing: nil,
                nested: [],
                numbers: [],
                present: nil,
                text: ""
            ),
        ]
    }()

    @Test("writes byte for byte what CanonicalEncoder writes", arguments: samples.indices)
    func sameAsEncoder(index: Int) throws {
        let sample = Self.samples[index]
        #expect(try CanonicalWriter.text(of: sample) == CanonicalEncoder.text(of: sample))
    }

    @Test("a number JSON cannot hold is CanonicalEncoder's error, naming its place", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(value: Double) {
        var sample = Self.samples[1]
        sample.numbers = [1, value]
        #expect {
            try CanonicalWriter.text(of: sample)
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["numbers", "1"]
        }
    }

    @Test(
        "event metadata is written as its Encodable conformance writes it, absent ids left out",
        arguments: [
            (
                EventMetadata(source: "ocpi", correlationId: "cmd-1", causationId: "e-1"),
                #"{"causation_id":"e-1","correlation_id":"cmd-1","source":"ocpi"}"#
            ),
            (EventMetadata(source: "ocpp:CP-1", correlationId: "cmd-1"), #"{"correlation_id":"cmd-1","source":"ocpp:CP-1"}"#),
            (EventMetadata(source: "timer"), #"{"source":"timer"}"#),
        ]
    )
    func eventMetadata(metadata: EventMetadata, text: String) throws {
        #expect(try CanonicalWriter.text(of: metadata) == text)
        #expect(try CanonicalEncoder.text(of: metadata) == text)
        #expect(try CanonicalJSON(encoding: metadata).text == text)
    }
}

extension CanonicalEncoderTests.Sample.Inner: CanonicalWritable {
    public func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.name, name)
            object.member(CodingKeys.tags, tags)
            object.member(CodingKeys.when, when)
        }
    }
}
