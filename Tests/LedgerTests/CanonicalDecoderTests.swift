import Foundation
import Ledger
import Testing

/// `CanonicalDecoder` reads what `JSONDecoder` reads, to the same values, and refuses what it
/// refuses with the same kind of `DecodingError` (the catalogue names fields from them).
@Suite("Canonical decoder")
struct CanonicalDecoderTests {
    typealias Sample = CanonicalEncoderTests.Sample

    struct Flexible: Codable, Equatable {
        var id: String
        var count: Int
        var small: UInt8?
        var ratio: Double?
        var flag: Bool?
        var list: [Int64]?
        var map: [String: String]?
        var nested: [Flexible]?
    }

    @Test("decodes what the encoder wrote back to the same value", arguments: CanonicalEncoderTests.samples.indices)
    func roundTrip(index: Int) throws {
        let sample = CanonicalEncoderTests.samples[index]
        let text = try CanonicalEncoder.text(of: sample)
        let ours = try CanonicalDecoder.decode(Sample.self, from: text)
        let theirs = try JSONDecoder().decode(Sample.self, from: Data(text.utf8))
        #expect(ours == theirs)
        #expect(try CanonicalEncoder.text(of: ours) == text)
    }

    @Test(
        "reads JSON that is not canonical: any key order, whitespace, escapes, null for absent",
        arguments: [
            #"{"id":"a","count":1}"#,
            " {\n \"count\" : 2 ,\t\"id\" : \"b\\u00e9\\n\\\"q\\\"\\/\\ud83d\\ude00\" } ",
            #"{"z":[1,{"deep":[true,null]}],"id":"c","count":-3,"small":255,"ratio":1e-05,"flag":false,"list":[9223372036854775807,-9223372036854775808]}"#,
            #"{"id":"d","count":4,"small":null,"ratio":null,"flag":null,"list":null,"map":null,"nested":null}"#,
            #"{"id":"e","count":7.0,"ratio":-0.5E+2,"map":{"b":"2","a":"1","\u00e9":"3"},"nested":[{"id":"f","count":0,"nested":[]}]}"#,
            #"{"i\u0064":"g","count":5}"#,
        ]
    )
    func sameAsFoundation(text: String) throws {
        let ours = try CanonicalDecoder.decode(Flexible.self, from: text)
        let theirs = try JSONDecoder().decode(Flexible.self, from: Data(text.utf8))
        #expect(ours == theirs)
    }

    enum Refusal { case keyNotFound, typeMismatch, valueNotFound, dataCorrupted }

    @Test(
        "refuses what JSONDecoder refuses, with the same kind of error",
        arguments: [
            (#"{"count":1}"#, Refusal.keyNotFound),
            (#"{"id":1,"count":1}"#, .typeMismatch),
            (#"{"id":"a","count":"1"}"#, .typeMismatch),
            (#"{"id":null,"count":1}"#, .valueNotFound),
            (#"{"id":"a","count":1,"small":256}"#, .dataCorrupted),
            (#"{"id":"a","count":99999999999999999999}"#, .dataCorrupted),
            (#"{"id":"a","count":1.5}"#, .dataCorrupted),
            (#"{"id":"a","count":1,"nested":[{"id":"b"}]}"#, .keyNotFound),
            (#"["id","count"]"#, .typeMismatch),
            (#"{"id":"a","count":1} trailing"#, .dataCorrupted),
            // Two values that end as one would: the root object's own scan finds where it ends.
            (#"{"id":"a","count":1} {"id":"b","count":2}"#, .dataCorrupted),
            (#"{"id":"a","count":1}}"#, .dataCorrupted),
            ("{} {}", .dataCorrupted),
            (#"{"id":"a","count":1"#, .dataCorrupted),
            (#"{"id":"a" "count":1}"#, .dataCorrupted),
            (#"{"id":"unterminated}"#, .dataCorrupted),
            ("", .dataCorrupted),
        ]
    )
    func refusals(text: String, expected: Refusal) {
        func kind(_ error: any Error) -> Refusal? {
            switch error as? DecodingError {
            case .keyNotFound: .keyNotFound
            case .typeMismatch: .typeMismatch
            case .valueNotFound: .valueNotFound
            case .dataCorrupted: .dataCorrupted
            default: nil
            }
        }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Flexible.self, from: Data(text.utf8)) }
        do {
            _ = try CanonicalDecoder.decode(Flexible.self, from: text)
            Issue.record("decoded \(text)")
        } catch {
            #expect(kind(error) == expected, "\(error)")
        }
    }

    @Test("an error names the path to the field")
    func errorPath() throws {
        do {
            _ = try CanonicalDecoder.decode(Flexible.self, from: #"{"id":"a","count":1,"nested":[{"id":"b","count":"x"}]}"#)
            Issue.record("decoded")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["nested", "0", "count"])
        }
    }
}
