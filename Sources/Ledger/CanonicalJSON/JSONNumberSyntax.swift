/// JSON's number grammar, `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, read once for the
/// parser (`JSONParser`) and for `Decimal`'s reader (`DecimalText`): where a number ends and what
/// it holds, or where it breaks the grammar.
struct JSONNumberSyntax {
    /// Just past the number's last byte.
    let end: Int
    /// The first digit after the `.`, if there is a fraction.
    let fraction: Int?
    /// Whether an exponent follows.
    let hasExponent: Bool

    /// Reads the number that starts at `start`; the error's offset is where the grammar breaks.
    static func scan<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, from start: Int) throws(JSONSyntaxError) -> JSONNumberSyntax
    where Bytes.Index == Int {
        var index = start
        func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, reason: reason) }
        func digits() -> Int {
            let from = index
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.endIndex else { throw fail("incomplete number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw fail("expected a digit")
        }
        var fraction: Int?
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = index
            guard digits() > 0 else { throw fail("expected a digit after '.'") }
        }
        var hasExponent = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            hasExponent = true
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("expected a digit in the exponent") }
        }
        return JSONNumberSyntax(end: index, fraction: fraction, hasExponent: hasExponent)
    }
}
