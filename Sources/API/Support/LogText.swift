import Logging

/// Text that came from outside — ids, path segments, frames, close reasons — as a log line may
/// show it: control characters and Unicode line separators escaped, and bounded, so no input can
/// end a log line, forge another ("…\n… critical …") or drive a terminal (ESC sequences).
enum LogText {
    static func escaped(_ text: String, limit: Int = 512) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            switch scalar.value {
            case 0x0A: shown += "\\n"
            case 0x0D: shown += "\\r"
            case 0x09: shown += "\\t"
            case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029: shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > limit ? shown + "…" : shown
    }
}

extension Logger.MetadataValue {
    /// A metadata value from outside, escaped (`LogText`).
    static func untrusted(_ text: String) -> Self { .string(LogText.escaped(text)) }
}
