import Ledger

/// The OCPP 1.6J requests this central system takes, checked against the rules of their JSON
/// schemas (the `*.json` files of OCPP 1.6's JSON distribution): required fields, types, string
/// lengths (`CiString20Type` for an idTag, …), date-times and enumerations. A payload that breaks
/// one is answered with the CALLERROR OCPP-J 1.6 §4.2.3 names for it — an absent required field
/// `OccurenceConstraintViolation` (sic, the spec's spelling), a wrong type
/// `TypeConstraintViolation`, a value out of its bounds `PropertyConstraintViolation` — and recorded
/// as `OcppFrameRejected`. Members the schemas do not name are let through: a tolerant reader, as
/// chargers in the field add vendor fields.
enum OCPP16Schema {
    indirect enum Rule: Sendable {
        case string(max: Int)
        case integer
        case dateTime
        case oneOf(Set<String>)
        case object([Field])
        case array(minItems: Int, of: Rule)
    }

    struct Field: Sendable {
        let name: String
        let rule: Rule
        let required: Bool

        static func required(_ name: String, _ rule: Rule) -> Field { Field(name: name, rule: rule, required: true) }
        static func optional(_ name: String, _ rule: Rule) -> Field { Field(name: name, rule: rule, required: false) }
    }

    static let chargePointStatus: Set = [
        "Available", "Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing", "Reserved",
        "Unavailable", "Faulted",
    ]
    static let chargePointErrorCode: Set = [
        "ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature",
        "InternalError", "LocalListConflict", "NoError", "OtherError", "OverCurrentFailure",
        "PowerMeterFailure", "PowerSwitchFailure", "ReaderFailure", "ResetFailure", "UnderVoltage",
        "OverVoltage", "WeakSignal",
    ]
    static let stopReason: Set = [
        "EmergencyStop", "EVDisconnected", "HardReset", "Local", "Other", "PowerLoss", "Reboot", "Remote",
        "SoftReset", "UnlockCommand", "DeAuthorized",
    ]
    static let meterValue = Rule.object([
        .required("timestamp", .dateTime),
        .required("sampledValue", .array(minItems: 1, of: .object([.required("value", .string(max: .max))]))),
    ])

    /// Each request's fields, as its schema gives them.
    static let requests: [String: [Field]] = [
        "BootNotification": [
            .required("chargePointVendor", .string(max: 20)), .required("chargePointModel", .string(max: 20)),
            .optional("chargePointSerialNumber", .string(max: 25)), .optional("chargeBoxSerialNumber", .string(max: 25)),
            .optional("firmwareVersion", .string(max: 50)), .optional("iccid", .string(max: 20)), .optional("imsi", .string(max: 20)),
            .optional("meterType", .string(max: 25)), .optional("meterSerialNumber", .string(max: 25)),
        ],
        "Heartbeat": [],
        "Authorize": [.required("idTag", .string(max: 20))],
        "StatusNotification": [
            .required("connectorId", .integer), .required("errorCode", .oneOf(chargePointErrorCode)), .required("status", .oneOf(chargePointStatus)),
            .optional("info", .string(max: 50)), .optional("timestamp", .dateTime), .optional("vendorId", .string(max: 255)),
            .optional("vendorErrorCode", .string(max: 50)),
        ],
        "StartTransaction": [
            .required("connectorId", .integer), .required("idTag", .string(max: 20)), .required("meterStart", .integer),
            .optional("reservationId", .integer), .required("timestamp", .dateTime),
        ],
        "MeterValues": [
            .required("connectorId", .integer), .optional("transactionId", .integer), .required("meterValue", .array(minItems: 1, of: meterValue)),
        ],
        "StopTransaction": [
            .optional("idTag", .string(max: 20)), .required("meterStop", .integer), .required("timestamp", .dateTime),
            .required("transactionId", .integer), .optional("reason", .oneOf(stopReason)),
            .optional("transactionData", .array(minItems: 0, of: meterValue)),
        ],
    ]

    /// Throws the CALLERROR for the first rule `payload` breaks; actions without a schema here pass.
    static func check(_ action: String, _ payload: JSONValue, messageId: String) throws(OCPPFrame.Malformed) {
        guard let fields = requests[action] else { return }
        try check(payload, .object(fields), at: action, messageId: messageId)
    }

    private static func check(_ value: JSONValue, _ rule: Rule, at path: String, messageId: String) throws(OCPPFrame.Malformed) {
        func refuse(_ code: String, _ description: String) -> OCPPFrame.Malformed {
            OCPPFrame.Malformed(messageId: messageId, code: code, description: "\(path) \(description)")
        }
        switch rule {
        case .string(let max):
            guard let text = value.stringValue else { throw refuse("TypeConstraintViolation", "must be a string") }
            guard text.count <= max else { throw refuse("PropertyConstraintViolation", "is \(text.count) characters; at most \(max) are allowed") }
        case .integer:
            guard value.int64Value != nil else { throw refuse("TypeConstraintViolation", "must be an integer") }
        case .dateTime:
            guard let text = value.stringValue else { throw refuse("TypeConstraintViolation", "must be a date-time string") }
            guard Timestamp(iso8601: text) != nil else { throw refuse("PropertyConstraintViolation", "must be an RFC 3339 date-time") }
        case .oneOf(let allowed):
            guard let text = value.stringValue else { throw refuse("TypeConstraintViolation", "must be a string") }
            guard allowed.contains(text) else {
                throw refuse("PropertyConstraintViolation", "must be one of \(allowed.sorted().joined(separator: ", "))")
            }
        case .object(let fields):
            guard case .object = value else {
                throw refuse(path.contains(".") ? "TypeConstraintViolation" : "FormationViolation", "must be an object")
            }
            for field in fields {
                guard let member = value[field.name], member != .null else {
                    if field.required { throw refuse("OccurenceConstraintViolation", "needs \(field.name)") }
                    continue
                }
                try check(member, field.rule, at: "\(path).\(field.name)", messageId: messageId)
            }
        case .array(let minItems, let element):
            guard case .array(let items) = value else { throw refuse("TypeConstraintViolation", "must be an array") }
            guard items.count >= minItems else { throw refuse("OccurenceConstraintViolation", "needs at least \(minItems) item(s)") }
            for (index, item) in items.enumerated() { try check(item, element, at: "\(path)[\(index)]", messageId: messageId) }
        }
    }
}
