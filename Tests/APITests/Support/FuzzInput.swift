import Foundation
import Ledger
import LedgerTesting

/// A seeded generator of hostile inputs: the same seed gives the same inputs, so a failure names
/// the seed and the iteration that reproduce it. `CHARGELEDGER_FUZZ_ITERATIONS` runs longer by hand.
struct FuzzInput: RandomNumberGenerator {
    private var generator: SeededGenerator
    let seed: UInt64

    init(seed: UInt64) {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
    }

    static var iterations: Int { ProcessInfo.processInfo.environment["CHARGELEDGER_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300 }

    mutating func next() -> UInt64 { generator.next() }

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &self)] }

    /// A JSON value of any kind, nested up to `depth`.
    mutating func json(depth: Int = 3) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 5), using: &self) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &self))
        case 2: return .number(pick(["0", "-1", "1e308", "-0.0", "12345678901234567890123", "3.14", "1E-7"]))
        case 3: return .string(text())
        case 4: return .string(String(repeating: pick(["A", "é", "😀", "\u{0}", "\""]), count: pick([0, 1, 37, 300, 70_000])))
        case 5, 6:
            return .object(
                Dictionary(
                    (0..<Int.random(in: 0...4, using: &self)).map { _ in (text(), json(depth: depth - 1)) },
                    uniquingKeysWith: { first, _ in first }
                )
            )
        default: return .array((0..<Int.random(in: 0...4, using: &self)).map { _ in json(depth: depth - 1) })
        }
    }

    mutating func text() -> String {
        pick([
            "", "x", "START_SESSION", "LOC-PARIS-0042", "EVSE-0042-01", "RFID", "ALLOWED", "2024-02-01T08:00:00Z", "not a date",
            "../../etc/passwd", "<script>", "'; DROP TABLE events; --", "\u{202E}", "\u{FEFF}", "ñ", "\\u0000",
        ])
    }

    /// `valid` mutated as text: bytes flipped, cut, duplicated, or spliced with garbage.
    mutating func mutate(_ valid: String) -> [UInt8] {
        var bytes = Array(valid.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &self) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &self)
            switch Int.random(in: 0..<5, using: &self) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &self)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &self)))
            case 2: bytes = Array(bytes.prefix(at))
            case 3: bytes.insert(contentsOf: Array(pick(["{", "}", "[", "\"", ",", ":", "\\", "null", "\u{0}"]).utf8), at: at)
            default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 30)], at: at)
            }
        }
        return bytes
    }

    /// `object` with one member replaced by a value of another kind, removed, or a new one added.
    mutating func mutate(object: JSONValue) -> JSONValue {
        guard case .object(var members) = object, let key = members.keys.sorted().randomElement(using: &self) else { return json() }
        switch Int.random(in: 0..<4, using: &self) {
        case 0: members[key] = json()
        case 1: members[key] = nil
        case 2: members[text()] = json()
        default: members[key] = mutate(object: members[key] ?? .null)
        }
        return .object(members)
    }
}
