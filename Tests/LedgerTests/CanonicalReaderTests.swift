import Foundation
import Ledger
import Testing

/// A `CanonicalReadable` conformance reads the value `CanonicalDecoder` decodes, from the same
/// documents, and refuses the same ones — with `CanonicalDecoder`'s error, which names the field.
@Suite("Canonical reader")
struct CanonicalReaderTests {
    struct Sample: Codable, Equatable, CanonicalReadable {
        var id: String
        var count: Int
        var ratio: Double?
        var flag: Bool?
        var list: [Int64]?
        var when: Timestamp?
        var nested: [Sample]?

        init(reading value: CanonicalValue) throws {
            let object = try value.object()
            id = try object.decode(CodingKeys.id)
            count = try object.decode(CodingKeys.count)
            ratio = try object.decodeIfPresent(CodingKeys.ratio)
            flag = try object.decodeIfPresent(CodingKeys.flag)
            list = try object.decodeIfPresent(CodingKeys.list)
            when = try object.decodeIfPresent(CodingKeys.when)
            nested = try object.decodeIfPresent(CodingKeys.nested)
        }
    }

    static let documents = [
        #"{"id":"a","count":1}"#,
        " {\n \"count\" : 2 ,\t\"id\" : \"b\\u00e9\\n\\\"q\\\"\\/\\ud83d\\ude00\" } ",
        #"{"z":[1,{"deep":[true,null]}],"id":"c","count":-3,"ratio":1e-05,"flag":false,"list":[9223372036854775807,-9223372036854775808]}"#,
        #"{"id":"d","count":4,"ratio":null,"flag":null,"list":null,"when":null,"nested":null}"#,
        #"{"id":"e","count":7.0,"ratio":-0.5E+2,"nested":[{"id":"f","count":0,"nested":[]}],"when":"2026-03-12T08:30:00.1Z"}"#,
        #"{"i\u0064":"g","count":5}"#,
        #"{"id":"h","count":1,"id":"again"}"#,
        #"{"count":1}"#,
        #"{"id":1,"count":1}"#,
        #"{"id":"a","count":"1"}"#,
        #"{"id":null,"count":1}"#,
        #"{"id":"a","count":99999999999999999999}"#,
        #"{"id":"a","count":1.5}"#,
        #"{"id":"a","count":1,"flag":"yes"}"#,
        #"{"id":"a","count":1,"list":[1,"2"]}"#,
        #"{"id":"a","count":1,"list":{}}"#,
        #"{"id":"a","count":1,"when":"2026-03-12T08:30:00\u005a"}"#,
        #"{"id":"a","count":1,"when":"2026-03-12T08:30:00"}"#,
        #"{"id":"a","count":1,"when":"2026-03-12T08:30"}"#,
        #"{"id":"a","count":1,"when":"2026-02-30T00:00:00Z"}"#,
        #"{"id":"a","count":1,"when":7}"#,
        #"{"id":"a","count":1,"nested":[{"id":"b"}]}"#,
        #"{"id":"a","count":1,"nested":[{"id":"b","count":"x"}]}"#,
        #"["id","count"]"#,
        #"{"id":"a","count":1} trailing"#,
        #"{"id":"a","count":1} {"id":"b","count":2}"#,
        #"{"id":"a","count":1}}"#,
        "{} {}",
        " \n{\"id\":\"a\",\"count\":1}\t\n ",
        #"{"id":"a","count":1"#,
        #"{"id":"a" "count":1}"#,
        #"{"id":"unterminated}"#,
        #"{"id":"a","count":1,"z":[1,}"#,
        "",
    ]

    @Test("reads what CanonicalDecoder decodes, to the same value, and refuses what it refuses", arguments: documents)
    func agrees(text: String) {
        #expect(CanonicalReader.read(Sample.self, from: text) == (try? CanonicalDecoder.decode(Sample.self, from: text)))
    }

    @Test("a refusal is CanonicalDecoder's error", arguments: documents)
    func sameError(text: String) {
        func failure(_ decode: () throws -> Sample) -> String? {
            do {
                _ = try decode()
                return nil
            } catch { return "\(error)" }
        }
        let ours = failure { try CanonicalReader.decode(Sample.self, from: text) }
        #expect(ours == failure { try CanonicalDecoder.decode(Sample.self, from: text) })
    }
}
