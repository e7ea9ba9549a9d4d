import Crypto
import Foundation
import Ledger

/// OCPP security profile 1: a charge point logs in with HTTP Basic, its id as user name and its
/// AuthorizationKey (1.6) or BasicAuthPassword (2.0.1, a plain 16–40 character string) as password.
///
/// The server keeps only `SHA-256("<charge_point_id>:<key>")`, in the locations file. A plain hash
/// is enough because the key is random and long (`generateKey` makes 20 random bytes, as the OCPP
/// security whitepaper asks for 16–40): there is no dictionary to try. Salting with the id keeps
/// two chargers with the same key from having the same hash.
public enum ChargerPassword {
    public static func hash(chargePointId: String, key: String) -> String {
        SHA256.hash(data: Data("\(chargePointId):\(key)".utf8)).hexString
    }

    /// A new AuthorizationKey: 20 random bytes as 40 hex digits.
    public static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }

    /// Whether `authorization` (`Basic base64(id:key)`) logs in as `chargePointId`; compared in
    /// constant time, and the key is never logged.
    static func accepts(_ authorization: String?, chargePointId: String, expectedHash: String) -> Bool {
        guard let login = BasicCredentials(authorization: authorization), login.user == chargePointId else { return false }
        return TokenAuthentication.constantTimeEquals(Array(hash(chargePointId: chargePointId, key: login.password).utf8), Array(expectedHash.utf8))
    }
}
