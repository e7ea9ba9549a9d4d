import Domain
import Ledger
import Projections

/// The OCPP 2.0.1 messages a station sends, answered on the connection's `ChargePointHandler`
/// (which holds what both versions share: the connection's record, frames, answers to our CALLs).
extension ChargePointHandler {
    /// Every action OCPP 2.0.1 lets a station send: one of them that is not answered here is
    /// `NotSupported`; any other name (a 1.6 `StartTransaction`) is `NotImplemented` (Part 4 §4.3).
    static let stationActions201: Set<String> = [
        "Authorize", "BootNotification", "ClearedChargingLimit", "DataTransfer", "FirmwareStatusNotification", "Get15118EVCertificate",
        "GetCertificateStatus", "Heartbeat", "LogStatusNotification", "MeterValues", "NotifyChargingLimit", "NotifyCustomerInformation",
        "NotifyDisplayMessages", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent", "NotifyMonitoringReport", "NotifyReport",
        "PublishFirmwareStatusNotification", "ReportChargingProfiles", "ReservationStatusUpdate", "SecurityEventNotification",
        "SignCertificate", "StatusNotification", "TransactionEvent",
    ]

    func answer201(call action: String, payload: JSONValue, messageId: String, frame: String) async -> OCPPFrame {
        guard OCPP201Schema.handled.contains(action) else {
            return Self.stationActions201.contains(action)
                ? await reject(frame, messageId, "NotSupported", "\(action) is not supported by this CSMS")
                : await reject(frame, messageId, "NotImplemented", "Action '\(action)' is not an OCPP 2.0.1 action")
        }
        guard action == "BootNotification" || registration.isAccepted else {
            return await reject(frame, messageId, "SecurityError", "Charging Station is not Accepted: send BootNotification first")
        }
        do { try OCPP201Schema.check(action, payload, messageId: messageId) } catch {
            return await reject(frame, messageId, error.code, error.description)
        }
        let now = JSONValue.string(clock.now().ocpiDateTime)
        let empty = OCPPFrame.callResult(messageId: messageId, payload: .object([:]))
        switch action {
        case "BootNotification":
            let station = payload["chargingStation"]
            let booted = BootNotified(
                chargePointId: chargePointId,
                vendor: station?["vendorName"]?.stringValue ?? "",
                model: station?["model"]?.stringValue ?? "",
                firmwareVersion: station?["firmwareVersion"]?.stringValue
            )
            guard await record(booted) else { return .notRecorded(messageId) }
            registration.accept()
            return .bootAccepted(messageId, at: now)
        case "Heartbeat":
            return .callResult(messageId: messageId, payload: .object(["currentTime": now]))
        case "StatusNotification":
            let reported = await recordStatus201(
                evseId: payload["evseId"]?.int64Value,
                status: payload["connectorStatus"]?.stringValue,
                timestamp: payload["timestamp"]?.stringValue
            )
            return reported ? empty : .notRecorded(messageId)
        case "NotifyEvent":
            // G01: a station may report its connectors' state as the AvailabilityState of component Connector.
            guard case .array(let events)? = payload["eventData"] else { return empty }
            for event in events
            where event["component"]?["name"]?.stringValue == "Connector" && event["variable"]?["name"]?.stringValue == "AvailabilityState" {
                let reported = await recordStatus201(
                    evseId: event["component"]?["evse"]?["id"]?.int64Value,
                    status: event["actualValue"]?.stringValue,
                    timestamp: event["timestamp"]?.stringValue
                )
                guard reported else { return .notRecorded(messageId) }
            }
            return empty
        case "Authorize":
            return await answered(action, messageId: messageId, frame: frame) {
                let decided = try await transactions.authorize(idTag: payload["idToken"]?["idToken"]?.stringValue ?? "", at: chargePointId)
                return .object(["idTokenInfo": .object(["status": .string(Self.idTokenStatus(decided.allowed))])])
            }
        case "TransactionEvent":
            // A station resends a TransactionEvent that got no answer (E13): an InternalError loses nothing yet.
            return await answered(action, messageId: messageId, frame: frame) {
                try await StationTransactions(transactions: transactions, chargePointId: chargePointId).handle(
                    payload,
                    messageId: messageId,
                    frame: frame
                )
            }
        default:
            // MeterValues outside transactions (never billed in 2.0.1, Part 2 J 2.1), security
            // events and reservation updates: acknowledged; the frames are not transaction data.
            return empty
        }
    }

    /// OCPI `allowed` → OCPP 2.0.1 AuthorizationStatus.
    static func idTokenStatus(_ allowed: String) -> String {
        switch allowed {
        case "ALLOWED": "Accepted"
        case "BLOCKED": "Blocked"
        case "EXPIRED": "Expired"
        case "NO_CREDIT": "NoCredit"
        default: "Invalid"
        }
    }

    /// A 2.0.1 connector status, recorded as 1.6's are: on the EVSE the locations file wires to
    /// that `evseId` (its `connector_id` is the ledger's key), the status as the station named it.
    private func recordStatus201(evseId: Int64?, status: String?, timestamp: String?) async -> Bool {
        guard let evseId, let status else { return true }
        let evse = transactions.locations.evse(chargePointId: chargePointId, ocppEvseId: Int(evseId))
        return await recordStatus(
            ConnectorStatusChanged(
                chargePointId: chargePointId,
                connectorId: evse?.connectorId ?? Int(evseId),
                status: status,
                timestamp: timestamp.flatMap(Timestamp.init(iso8601:))
            )
        )
    }
}
