import Foundation

/// A `Decimal`'s 128-bit significand, exponent and sign, as its own `Encodable` conformance states
/// them: its archived form (`exponent`, `isNegative`, `length`, `isCompact`, and `mantissa` as eight
/// 16-bit words, least significant first). swift-foundation keeps the stored fields internal on
/// Linux, and this form is the one public way to the whole mantissa without dividing it by ten
/// for each digit, as `description` does (`DecimalText.spelling`).
struct DecimalParts {
    var exponent: Int
    var isNegative: Bool
    var mantissa: UInt128

    /// `nil` when the conformance states something this reader does not expect (then the caller
    /// falls back to `description`).
    init?(_ value: Decimal) {
        let recorder = Recorder()
        do { try value.encode(to: PartsEncoder(recorder: recorder)) } catch { return nil }
        guard !recorder.unexpected, let exponent = recorder.exponent, let isNegative = recorder.isNegative,
            let length = recorder.length, (0...8).contains(length)
        else { return nil }
        self.exponent = exponent
        self.isNegative = isNegative
        // Only the first `length` words are the value's.
        mantissa = length == 8 ? recorder.mantissa : recorder.mantissa & ((1 << (16 * length)) - 1)
    }

    /// What the encoder has been told so far.
    private final class Recorder {
        var exponent: Int?
        var length: Int?
        var isNegative: Bool?
        var mantissa: UInt128 = 0
        var words = 0
        var unexpected = false

        func integer(_ value: Int, forKey key: String) {
            switch key {
            case "exponent": exponent = value
            case "length": length = value
            default: break
            }
        }

        func word(_ value: UInt16) {
            guard words < 8 else {
                unexpected = true
                return
            }
            mantissa |= UInt128(value) << (16 * words)
            words += 1
        }
    }

    /// An encoder that records the archived fields and flags anything else.
    private struct PartsEncoder: Encoder {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Fields(recorder: recorder))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { Words(recorder: recorder) }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            recorder.unexpected = true
            return Ignored()
        }
    }

    private struct Fields<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }

        mutating func encode(_ value: Bool, forKey key: Key) {
            if key.stringValue == "isNegative" { recorder.isNegative = value }
        }
        mutating func encode(_ value: Int, forKey key: Key) { recorder.integer(value, forKey: key.stringValue) }
        mutating func encode(_ value: Int8, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: Int16, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: Int32, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: Int64, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: UInt, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: UInt8, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: UInt16, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: UInt32, forKey key: Key) { recorder.integer(Int(value), forKey: key.stringValue) }
        mutating func encode(_ value: UInt64, forKey key: Key) { recorder.integer(Int(truncatingIfNeeded: value), forKey: key.stringValue) }
        mutating func encodeNil(forKey key: Key) { recorder.unexpected = true }
        mutating func encode(_ value: String, forKey key: Key) { recorder.unexpected = true }
        mutating func encode(_ value: Double, forKey key: Key) { recorder.unexpected = true }
        mutating func encode(_ value: Float, forKey key: Key) { recorder.unexpected = true }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) { recorder.unexpected = true }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            if key.stringValue != "mantissa" { recorder.unexpected = true }
            return Words(recorder: recorder)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            recorder.unexpected = true
            return KeyedEncodingContainer(Fields<NestedKey>(recorder: recorder))
        }

        mutating func superEncoder() -> any Encoder {
            recorder.unexpected = true
            return PartsEncoder(recorder: recorder)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
    }

    private struct Words: UnkeyedEncodingContainer {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        var count: Int { recorder.words }

        mutating func encode(_ value: UInt16) { recorder.word(value) }
        mutating func encodeNil() { recorder.unexpected = true }
        mutating func encode<T: Encodable>(_ value: T) { recorder.unexpected = true }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            recorder.unexpected = true
            return KeyedEncodingContainer(Fields<NestedKey>(recorder: recorder))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            recorder.unexpected = true
            return self
        }

        mutating func superEncoder() -> any Encoder {
            recorder.unexpected = true
            return PartsEncoder(recorder: recorder)
        }
    }

    private struct Ignored: SingleValueEncodingContainer {
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() {}
        mutating func encode<T: Encodable>(_ value: T) {}
    }
}
