import Ledger

/// An OCPP-J message (OCPP 1.6 JSON, §4): CALL `[2, id, action, payload]`, CALLRESULT
/// `[3, id, payload]`, CALLERROR `[4, id, code, description, details]`.
public enum OCPPFrame: Sendable, Equatable {
    case call(messageId: String, action: String, payload: JSONValue)
    case callResult(messageId: String, payload: JSONValue)
    case callError(messageId: String, code: String, description: String, details: JSONValue)

    /// Why a text frame is not an OCPP-J message, and the CALLERROR that answers it.
    public struct Malformed: Error, Equatable, Sendable {
        /// The message id when it could be read (a CALLERROR must echo it), else `"-1"`.
        public let messageId: String
        /// `FormationViolation`, `ProtocolError`, …
        public let code: String
        public let description: String

        public var reply: OCPPFrame { .callError(messageId: messageId, code: code, description: description, details: .object([:])) }
    }

    /// Parses `text` as an OCPP-J frame of `version`: OCPP 2.0.1 names a frame that is not an
    /// RPC message `RpcFrameworkError` (1.6: `FormationViolation`) and an unknown message type
    /// `MessageTypeNotSupported` (1.6: `ProtocolError`).
    public init(parsing text: String, version: OCPPVersion) throws(Malformed) {
        do {
            try self.init(parsing: text)
        } catch {
            guard version == .v201 else { throw error }
            let code = error.code == "ProtocolError" ? "MessageTypeNotSupported" : "RpcFrameworkError"
            throw Malformed(messageId: error.messageId, code: code, description: error.description)
        }
    }

    public init(parsing text: String) throws(Malformed) {
        guard let value = try? JSONValue(parsing: text) else {
            throw Malformed(messageId: "-1", code: "FormationViolation", description: "the frame is not JSON")
        }
        guard case .array(let items) = value, items.count >= 3, let type = items[0].int64Value else {
            throw Malformed(messageId: "-1", code: "FormationViolation", description: "expected [MessageTypeId, UniqueId, …]")
        }
        guard let messageId = items[1].stringValue, !messageId.isEmpty, messageId.count <= 36 else {
            throw Malformed(messageId: "-1", code: "FormationViolation", description: "UniqueId must be a string of at most 36 characters")
        }
        switch (type, items.count) {
        case (2, 4):
            guard let action = items[2].stringValue, case .object = items[3] else {
                throw Malformed(messageId: messageId, code: "FormationViolation", description: "a CALL is [2, id, action, {payload}]")
            }
            self = .call(messageId: messageId, action: action, payload: items[3])
        case (3, 3):
            guard case .object = items[2] else {
                throw Malformed(messageId: messageId, code: "FormationViolation", description: "a CALLRESULT payload must be an object")
            }
            self = .callResult(messageId: messageId, payload: items[2])
        case (4, 5):
            guard let code = items[2].stringValue, let description = items[3].stringValue else {
                throw Malformed(messageId: messageId, code: "FormationViolation", description: "a CALLERROR is [4, id, code, description, {details}]")
            }
            self = .callError(messageId: messageId, code: code, description: description, details: items[4])
        case (2, _), (3, _), (4, _):
            throw Malformed(messageId: messageId, code: "FormationViolation", description: "wrong number of elements for message type \(type)")
        default:
            throw Malformed(messageId: messageId, code: "ProtocolError", description: "unknown message type \(type)")
        }
    }

    public var text: String {
        let items: [JSONValue] =
            switch self {
            case let .call(id, action, payload): [.number("2"), .string(id), .string(action), payload]
            case let .callResult(id, payload): [.number("3"), .string(id), payload]
            case let .callError(id, code, description, details): [.number("4"), .string(id), .string(code), .string(description), details]
            }
        return JSONValue.array(items).canonicalText
    }
}
