import Crypto
import Foundation
import Ledger

/// Seals the token the ledger presents to the IOP before it goes in an event, and opens it again
/// in the server: AES-GCM with a key that lives outside the ledger (a `0600` file beside a SQLite
/// ledger, `LEDGER_SECRET_KEY` for PostgreSQL; docs/security.md). The log can be copied, exported
/// and audited without handing anyone the means to call the IOP as this CPO.
public struct SecretBox: Sendable {
    /// The key's bytes (swift-crypto's `SymmetricKey` is not `Sendable`: made at each use).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// `key`: 32 bytes, Base64.
    public init(base64 key: String) throws(CredentialsError) {
        guard let bytes = Data(base64Encoded: key.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw CredentialsError(.badSecretKey, "the secret key must be 32 bytes in Base64 (`openssl rand -base64 32` makes one)")
        }
        keyBytes = bytes
    }

    /// A new random key, Base64.
    public static func newKey() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } }

    public func seal(_ secret: String) throws(CredentialsError) -> String {
        do { return try AES.GCM.seal(Data(secret.utf8), using: key).combined!.base64EncodedString() } catch {
            throw CredentialsError(.badSecretKey, "cannot seal: \(error)")
        }
    }

    public func open(_ sealed: String) throws(CredentialsError) -> String {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key), let text = String(data: plain, encoding: .utf8)
        else {
            throw CredentialsError(
                .badSecretKey,
                "the IOP token in the ledger does not open with this secret key: the key the registration was made with is needed"
            )
        }
        return text
    }

    /// SHA-256 of a token, hex: how the tokens the IOP presents are kept.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    /// A new token for the other party: 32 random bytes, Base64url (43 characters, within OCPI's 64).
    public static func newToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// A credentials failure, with a stable code and what to do.
public struct CredentialsError: Error, CustomStringConvertible, Sendable {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let badSecretKey = Code(rawValue: "bad_secret_key")
        /// OCPI 3001: the other side's versions or details could not be read.
        public static let unreachable = Code(rawValue: "unable_to_use_client_api")
        /// OCPI 3002: no 2.1.1.
        public static let unsupportedVersion = Code(rawValue: "unsupported_version")
        /// OCPI 3003: an endpoint the CPO needs is missing.
        public static let missingEndpoints = Code(rawValue: "missing_endpoints")
        /// The other side refused the credentials (an OCPI error or an HTTP error).
        public static let refused = Code(rawValue: "refused")
        /// The ledger could not record the step (a full disk): nothing changed.
        public static let unrecorded = Code(rawValue: "unrecorded")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The OCPI status code a server answers with for it.
    var ocpiStatus: Int {
        switch code {
        case .unsupportedVersion: 3002
        case .missingEndpoints: 3003
        case .refused: 2001
        case .unrecorded, .badSecretKey: 3000
        default: 3001
        }
    }
}
