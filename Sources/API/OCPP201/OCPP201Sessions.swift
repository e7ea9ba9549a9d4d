import Crypto
import Domain
import Foundation
import Ledger

/// Which OCPI session an OCPP 2.0.1 station's transaction is.
public enum OCPP201Sessions {
    /// The OCPI session id of a station's transaction: a UUID named by the station and its
    /// (case-insensitive) transaction id, so every event of the transaction finds its session
    /// without a lookup table, and two stations' `"1"` never meet. Not the raw transaction id:
    /// OCPI needs ids unique across the CPO (spec digest ocpp-2.0.1-subset.md §3.3 [REC]).
    public static func sessionId(chargePointId: String, transactionId: TransactionId) -> String {
        var bytes = Array(SHA256.hash(data: Data("ocpp2.0.1\n\(chargePointId)\n\(transactionId.text.lowercased())".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: a name-based UUID of our own hashing (RFC 9562 §5.8)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // the RFC's variant
        let hex = bytes.hexString
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
