import Foundation
import Ledger

/// The OCPP 2.0.1 requests a station sends, checked against their JSON schemas as the Open Charge
/// Alliance ships them (`Schemas/`, read at first use): the subset of JSON Schema they use —
/// `type`, `required`, `properties`, `additionalProperties: false`, `enum`, `maxLength`,
/// `minItems`/`maxItems`, `items`, `$ref` to `definitions`, `format: date-time`.
///
/// A payload that breaks a rule is answered with the CALLERROR the spec digest maps it to
/// (ocpp-2.0.1-subset.md §1.6; vectors X1–X8, X13): a missing field
/// `OccurrenceConstraintViolation` (Edition 3's spelling), a wrong type `TypeConstraintViolation`,
/// a value out of bounds (enum, length, date-time, an EVSE id of 0) `PropertyConstraintViolation`,
/// a member the schema does not allow `FormatViolation`. Unlike 1.6's, these schemas forbid
/// members they do not name, and the station is told so: a 2.0.1 station must not send them.
/// Integers are JSON numbers without a fraction or exponent (`1.0` is refused, as the Python
/// `ocpp` package's draft-04 validator does).
struct OCPP201Schema: Sendable {
    let root: JSONValue
    let definitions: [String: JSONValue]

    /// The actions with a schema here, by action name: every station-to-CSMS request this
    /// central system answers.
    static let requests: [String: OCPP201Schema] = {
        var schemas: [String: OCPP201Schema] = [:]
        for action in handled {
            guard let url = Bundle.module.url(forResource: "\(action)Request", withExtension: "json", subdirectory: "Schemas"),
                let data = try? Data(contentsOf: url), let root = try? JSONValue(parsing: Array(data))
            else { continue }
            var definitions: [String: JSONValue] = [:]
            if case .object(let members)? = root["definitions"] { definitions = members }
            schemas[action] = OCPP201Schema(root: root, definitions: definitions)
        }
        return schemas
    }()

    static let handled = [
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "TransactionEvent", "MeterValues", "NotifyEvent",
        "SecurityEventNotification", "ReservationStatusUpdate",
    ]

    /// Throws when a schema is missing from the bundle (a broken installation): the server does
    /// not start rather than answer every station InternalError.
    static func requireInstalled() throws {
        let missing = handled.filter { requests[$0] == nil }
        guard missing.isEmpty else {
            throw SchemasMissing(
                description: "the OCPP 2.0.1 schemas of \(missing.joined(separator: ", ")) are missing from the API bundle's Schemas/: reinstall"
            )
        }
    }

    struct SchemasMissing: Error, CustomStringConvertible {
        let description: String
    }

    /// Throws the CALLERROR for the first rule `payload` breaks.
    static func check(_ action: String, _ payload: JSONValue, messageId: String) throws(OCPPFrame.Malformed) {
        guard let schema = requests[action] else {
            throw OCPPFrame.Malformed(messageId: messageId, code: "InternalError", description: "no schema for \(action) is installed")
        }
        try schema.check(payload, schema.root, at: "\(action)Request", messageId: messageId)
        // What the schemas cannot say: an EVSE id names an EVSE, and EVSE ids are above 0 (vector X13).
        for evseId in [payload["evse"]?["id"], action == "StatusNotification" ? payload["evseId"] : nil].compactMap({ $0 }) {
            guard let id = evseId.int64Value, id > 0 else {
                throw OCPPFrame.Malformed(
                    messageId: messageId,
                    code: "PropertyConstraintViolation",
                    description: "\(action)Request: an EVSE id must be > 0"
                )
            }
        }
    }

    private func check(_ value: JSONValue, _ rule: JSONValue, at path: String, messageId: String) throws(OCPPFrame.Malformed) {
        func refuse(_ code: String, _ description: String) -> OCPPFrame.Malformed {
            OCPPFrame.Malformed(messageId: messageId, code: code, description: "\(path): \(description)")
        }
        if let reference = rule["$ref"]?.stringValue {
            guard let name = reference.split(separator: "/").last, let definition = definitions[String(name)] else {
                throw refuse("InternalError", "the schema names \(reference), which it does not define")
            }
            return try check(value, definition, at: path, messageId: messageId)
        }
        switch rule["type"]?.stringValue {
        case "object":
            guard case .object(let members) = value else { throw refuse("TypeConstraintViolation", "expected an object") }
            let properties: [String: JSONValue]
            if case .object(let declared)? = rule["properties"] { properties = declared } else { properties = [:] }
            if case .array(let required)? = rule["required"] {
                for name in required.compactMap(\.stringValue) where members[name] == nil {
                    throw refuse("OccurrenceConstraintViolation", "required property '\(name)' is missing")
                }
            }
            for name in members.keys.sorted() {
                guard let property = properties[name] else {
                    if rule["additionalProperties"] == .bool(false) { throw refuse("FormatViolation", "unknown property '\(name)'") }
                    continue
                }
                // The schemas allow no null: an optional field without a value is left out (Part 4 §4.1.5).
                guard let member = members[name], member != .null else {
                    throw OCPPFrame.Malformed(
                        messageId: messageId,
                        code: "TypeConstraintViolation",
                        description: "\(path).\(name): null is not allowed"
                    )
                }
                try check(member, property, at: "\(path).\(name)", messageId: messageId)
            }
        case "array":
            guard case .array(let items) = value else { throw refuse("TypeConstraintViolation", "expected an array") }
            if let least = rule["minItems"]?.int64Value, items.count < least {
                throw refuse("OccurrenceConstraintViolation", "at least \(least) item(s) expected")
            }
            if let most = rule["maxItems"]?.int64Value, items.count > most {
                throw refuse("OccurrenceConstraintViolation", "at most \(most) item(s) allowed")
            }
            guard let element = rule["items"] else { return }
            for (index, item) in items.enumerated() { try check(item, element, at: "\(path)[\(index)]", messageId: messageId) }
        case "string":
            guard let text = value.stringValue else { throw refuse("TypeConstraintViolation", "expected string, got \(value.kind)") }
            if case .array(let allowed)? = rule["enum"], !allowed.contains(value) {
                throw refuse("PropertyConstraintViolation", "'\(text)' is not an allowed value")
            }
            if let most = rule["maxLength"]?.int64Value, text.count > most {
                throw refuse("PropertyConstraintViolation", "longer than \(most) characters")
            }
            if rule["format"]?.stringValue == "date-time", Timestamp(iso8601: text) == nil {
                throw refuse("PropertyConstraintViolation", "not an RFC 3339 date-time")
            }
        case "integer":
            guard let number = value.int64Value, Int64(Int32.min)...Int64(Int32.max) ~= number else {
                throw refuse("TypeConstraintViolation", "expected integer, got \(value.kind)")
            }
        case "number":
            guard case .number = value else { throw refuse("TypeConstraintViolation", "expected number, got \(value.kind)") }
        case "boolean":
            guard case .bool = value else { throw refuse("TypeConstraintViolation", "expected boolean, got \(value.kind)") }
        default:
            return
        }
    }
}

extension JSONValue {
    /// The JSON type's name, for a CALLERROR's description.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let literal): Int64(literal) == nil ? "number" : "integer"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
