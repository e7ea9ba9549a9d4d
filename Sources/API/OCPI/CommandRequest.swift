import Domain
import Ledger

/// The four OCPI 2.1.1 commands.
public enum CommandType: String, Sendable, CaseIterable {
    case startSession = "START_SESSION"
    case stopSession = "STOP_SESSION"
    case reserveNow = "RESERVE_NOW"
    case unlockConnector = "UNLOCK_CONNECTOR"

    /// What Gireve's IOP sends (gireve-iop.md §2): the default offer; the others answer NOT_SUPPORTED.
    public static let gireve: Set<CommandType> = [.startSession, .stopSession]
}

/// A command request body, validated field by field against its OCPI version (and Gireve's rules).
/// Both versions read into one value: 2.2.1's `authorization_reference` is `authorizationId`, its
/// token's `contract_id` is `authId` (what 2.1.1 calls the contract id).
///
/// Parsed from `JSONValue` rather than `Codable` so that each refusal names the field and the
/// rule it breaks, which is what the IOP's support desk reads in `status_message`.
public struct CommandRequest: Sendable, Equatable {
    public let type: CommandType
    public let responseURL: String
    public var locationId: String?
    public var evseUid: String?
    public var tokenUid: String?
    /// The token's OCPI `type` (`RFID`, `APP_USER`, …): how an OCPP 2.0.1 IdToken names it.
    public var tokenType: String?
    public var authId: String?
    public var sessionId: String?
    public var authorizationId: String?
    public var reservationId: Int64?
    public var expiryDate: Timestamp?
    public var connectorId: String?
    /// The token's owner, type and contract id (OCPI 2.2.1 only: a 2.1.1 token names no owner).
    public var token: TokenSnapshot?

    /// OCPI has no length for `authorization_id`; 36 is the recommended expectation (2.2's
    /// CiString(36)); longer values are accepted with a warning, up to this bound.
    public static let authorizationIdWarningLength = 36
    public static let authorizationIdMaximumLength = 255

    /// Why a body was refused: answered with OCPI 2001 and this message.
    public struct Invalid: Error, Equatable, Sendable {
        public let message: String
    }

    /// Only `START_SESSION` and `STOP_SESSION` are read in 2.2.1 (what Gireve sends; the others
    /// are answered NOT_SUPPORTED before their body is read).
    public init(type: CommandType, body: JSONValue, version: OCPIVersion = .v211) throws(Invalid) {
        guard case .object = body else { throw Invalid(message: "the body must be a JSON object") }
        let fields = Fields(body)
        self.type = type
        tokenType = body["token"]?["type"]?.stringValue
        responseURL = try fields.string("response_url", max: 255)
        // 2.1.1 ids are string(39); 2.2.1 ids are CiString(36).
        let idLength = version == .v221 ? 36 : 39
        switch type {
        case .startSession:
            if version == .v221 { try readToken221(fields) } else { try readToken(fields) }
            locationId = try fields.string("location_id", max: idLength)
            evseUid = try fields.optionalString("evse_uid", max: idLength)
            if version == .v221 {
                connectorId = try fields.optionalString("connector_id", max: 36)
                if connectorId != nil, evseUid == nil {
                    throw Invalid(message: "evse_uid is required when connector_id is given (OCPI 2.2.1 StartSession)")
                }
                authorizationId = try fields.optionalString("authorization_reference", max: 36)
            } else {
                authorizationId = try fields.optionalString("authorization_id", max: Self.authorizationIdMaximumLength, printable: false)
            }
            guard evseUid != nil else { throw Invalid(message: "evse_uid is required on the Gireve IOP connection") }
        case .stopSession:
            sessionId = try fields.string("session_id", max: 36)
        case .reserveNow:
            try readToken(fields)
            expiryDate = try fields.dateTime("expiry_date")
            reservationId = try fields.integer("reservation_id")
            locationId = try fields.string("location_id", max: 39)
            evseUid = try fields.optionalString("evse_uid", max: 39)
        case .unlockConnector:
            locationId = try fields.string("location_id", max: 39)
            evseUid = try fields.string("evse_uid", max: 39)
            connectorId = try fields.string("connector_id", max: 36)
        }
    }

    /// The OCPI 2.2.1 Token: owner and contract id required (a 2.1.1 token, with `auth_id`, fails
    /// on `country_code`: spec digest X2-03).
    private mutating func readToken221(_ fields: Fields) throws(Invalid) {
        let token = try fields.object("token")
        let snapshot = TokenSnapshot(
            countryCode: try token.string("country_code", max: 2),
            partyId: try token.string("party_id", max: 3),
            uid: try token.string("uid", max: 36),
            type: try token.oneOf("type", ["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]),
            contractId: try token.string("contract_id", max: 36)
        )
        try Self.checkShared(token)
        _ = try token.optionalString("group_id", max: 36)
        tokenUid = snapshot.uid
        authId = snapshot.contractId
        self.token = snapshot
    }

    private mutating func readToken(_ fields: Fields) throws(Invalid) {
        let token = try fields.object("token")
        tokenUid = try token.string("uid", max: 36)
        authId = try token.string("auth_id", max: 36)
        _ = try token.oneOf("type", ["OTHER", "RFID"])
        try Self.checkShared(token)
    }

    /// The Token members both versions share: checked, not kept.
    private static func checkShared(_ token: Fields) throws(Invalid) {
        _ = try token.string("issuer", max: 64)
        _ = try token.boolean("valid")
        _ = try token.oneOf("whitelist", ["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"])
        _ = try token.dateTime("last_updated")
        _ = try token.optionalString("visual_number", max: 64)
        _ = try token.optionalString("language", max: 2)
    }

    /// Typed access to an object's members, each failure naming its path.
    struct Fields {
        let value: JSONValue
        let path: String

        init(_ value: JSONValue, path: String = "") {
            self.value = value
            self.path = path
        }

        private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        private func present(_ key: String) -> JSONValue? {
            guard let member = value[key], member != .null else { return nil }
            return member
        }

        func optionalString(_ key: String, max: Int, printable: Bool = true) throws(Invalid) -> String? {
            guard let member = present(key) else { return nil }
            guard let text = member.stringValue else { throw Invalid(message: "\(name(key)) must be a string") }
            guard text.count <= max else { throw Invalid(message: "\(name(key)) is \(text.count) characters; at most \(max) are allowed") }
            if printable, !text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) {
                throw Invalid(message: "\(name(key)) must be printable ASCII")
            }
            return text
        }

        func string(_ key: String, max: Int) throws(Invalid) -> String {
            guard let text = try optionalString(key, max: max) else { throw Invalid(message: "\(name(key)) is required") }
            guard !text.isEmpty else { throw Invalid(message: "\(name(key)) must not be empty") }
            return text
        }

        func oneOf(_ key: String, _ values: Set<String>) throws(Invalid) -> String {
            let text = try string(key, max: 64)
            guard values.contains(text) else { throw Invalid(message: "\(name(key)) must be one of \(values.sorted().joined(separator: ", "))") }
            return text
        }

        func boolean(_ key: String) throws(Invalid) -> Bool {
            guard case .bool(let flag)? = present(key) else { throw Invalid(message: "\(name(key)) is required and must be true or false") }
            return flag
        }

        func integer(_ key: String) throws(Invalid) -> Int64 {
            guard let number = present(key)?.int64Value else { throw Invalid(message: "\(name(key)) is required and must be an integer") }
            return number
        }

        func dateTime(_ key: String) throws(Invalid) -> Timestamp {
            let text = try string(key, max: 25)
            guard let time = Timestamp(iso8601: text) else {
                throw Invalid(message: "\(name(key)) must be a UTC DateTime, e.g. 2024-03-12T09:57:12Z")
            }
            return time
        }

        func object(_ key: String) throws(Invalid) -> Fields {
            guard let member = present(key) else { throw Invalid(message: "\(name(key)) is required") }
            guard case .object = member else { throw Invalid(message: "\(name(key)) must be an object") }
            return Fields(member, path: name(key))
        }
    }
}
