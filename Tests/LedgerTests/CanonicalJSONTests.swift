import Ledger
import Testing

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test(
        "spellings of the same object canonicalize to the same text",
        arguments: [
            (#"{"b":1,"a":2}"#, #"{"a":2,"b":1}"#),
            (" {\n \"a\" : [ 1 , 2 ] ,\"b\":{}}\t", #"{"a":[1,2],"b":{}}"#),
            (#"{"s":"\u00e9\/\u0041\ud83d\ude00"}"#, #"{"s":"é/A😀"}"#),
            (#"{"s":"tab\there\u0001"}"#, #"{"s":"tab\there\u0001"}"#),
            (
                #"{"n":-0.50e+10,"m":12.340,"big":123456789012345678901234567890}"#,
                #"{"big":123456789012345678901234567890,"m":12.340,"n":-0.50e+10}"#
            ),
            (#"{"é":1,"e":2,"Z":3}"#, #"{"Z":3,"e":2,"é":1}"#),
        ]
    )
    func canonicalForms(input: String, expected: String) throws {
        let canonical = try CanonicalJSON(parsing: input)
        #expect(canonical.text == expected)
        #expect(try CanonicalJSON(parsing: canonical.text).text == expected)  // idempotent
    }

    @Test(
        "invalid JSON is refused, never guessed at",
        arguments: [
            "", "{", #"{"a":}"#, #"{"a":1,}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":tru}"#,
            #"{"a":"\ud800"}"#, #"{"a":"\x"}"#, "{\"a\":\"raw\nnewline\"}", #"{"a":1,"a":2}"#, #"{"a":1} x"#,
            #"[1,2]"#, #""just a string""#, String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
    )
    func invalid(input: String) {
        #expect(throws: EventStoreError.self) { try CanonicalJSON(parsing: input) }
    }

    @Test("encoding a value and decoding it back round-trips")
    func encodeDecode() throws {
        struct Payload: Codable, Equatable {
            let uid: String
            let kwh: Double
            let url: String
        }
        let payload = Payload(uid: "ABC", kwh: 7.25, url: "https://iop/x")
        let canonical = try CanonicalJSON(encoding: payload)
        #expect(canonical.text == #"{"kwh":7.25,"uid":"ABC","url":"https://iop/x"}"#)
        #expect(try canonical.decode(Payload.self) == payload)
    }
}
