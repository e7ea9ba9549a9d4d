import Crypto
import Foundation

/// The tamper-evident chain: each row's hash covers the previous row's hash and every stored field.
///
/// Fields are length-prefixed (8-byte big-endian) so no two different rows can feed SHA-256 the
/// same bytes. Event id and schema version are covered too, beyond the minimum in the design, so
/// that no stored column can change without breaking the chain.
public enum EventHash {
    /// The "previous hash" of position 1.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func compute(
        previous: [UInt8],
        position: Int64,
        streamId: String,
        streamVersion: Int64,
        eventId: String,
        type: String,
        schemaVersion: Int,
        data: String,
        metadata: String,
        recordedAt: String
    ) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        for field in [
            String(position), streamId, String(streamVersion), eventId, type,
            String(schemaVersion), data, metadata, recordedAt,
        ] {
            var length = UInt64(field.utf8.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            var field = field
            field.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return Array(hasher.finalize())
    }
}

extension UUID {
    /// How event ids are stored and hashed.
    public var lowercasedString: String { uuidString.lowercased() }
}
