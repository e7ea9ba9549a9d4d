import Domain
import Ledger

/// Where OCPI commands and OCPP 2.0.1 messages meet, both directions (the sibling of
/// `OCPI211OCPP16`; spec digest ocpp-2.0.1-subset.md §4.3). OCPI 2.2.1 commands take the same
/// path: only their answers to the eMSP differ (`CommandAnswers221`).
enum OCPI211OCPP201 {
    /// OCPI → OCPP: the CALL for a command addressed to an EVSE. A START_SESSION carries the
    /// `remoteStartId` the station echoes in the transaction it starts, and always the `evseId`
    /// (stations may refuse a remote start without one, F01.FR.07); OCPI's `connector_id` has no
    /// counterpart (the station picks the connector the cable is in). `remoteStartId` is required
    /// for a START_SESSION (`CommandService` numbers it first).
    static func call(for request: CommandRequest, at evse: LocationRegistry.EVSE, remoteStartId: Int?) -> (action: String, payload: JSONValue) {
        let evseId = JSONValue.number(String(evse.ocppEvseId))
        return switch request.type {
        case .reserveNow:
            (
                "ReserveNow",
                .object([
                    "id": .number(String(request.reservationId ?? 0)), "expiryDateTime": .string(request.expiryDate?.ocpiDateTime ?? ""),
                    "idToken": idToken(uid: request.tokenUid ?? "", type: request.tokenType), "evseId": evseId,
                ])
            )
        case .unlockConnector:
            ("UnlockConnector", .object(["evseId": evseId, "connectorId": .number("1")]))
        default:
            (
                "RequestStartTransaction",
                .object([
                    "idToken": idToken(uid: request.tokenUid ?? "", type: request.tokenType),
                    "remoteStartId": .number(String(remoteStartId ?? 0)), "evseId": evseId,
                ])
            )
        }
    }

    /// OCPI → OCPP: the CALL for STOP_SESSION of the session on the station's transaction.
    static func stopCall(transactionId: TransactionId) -> (action: String, payload: JSONValue) {
        ("RequestStopTransaction", .object(["transactionId": .string(transactionId.text)]))
    }

    /// An OCPI token as an OCPP 2.0.1 IdToken: its uid as it is (both are at most 36 characters),
    /// RFID as `ISO14443` (`ISO15693` for an 8-byte uid), every other type as `Central` — a token
    /// the server vouches for, which the station neither sends to Authorize nor caches (C05.FR.01/02).
    static func idToken(uid: String, type: String?) -> JSONValue {
        let ocppType =
            switch type {
            case "RFID": uid.count == 16 && uid.allSatisfy(\.isHexDigit) ? "ISO15693" : "ISO14443"
            default: "Central"
            }
        return .object(["idToken": .string(uid), "type": .string(ocppType)])
    }

    /// OCPP → OCPI: what a CALLRESULT's status means for the command that sent `action`. A status
    /// the action does not have (vector X14: `Started`) cannot be answered in 2.0.1 and is a refusal.
    static func result(of action: String, status: String?) -> CommandResult {
        switch (action, status) {
        case ("UnlockConnector", "Unlocked"), ("RequestStartTransaction", "Accepted"), ("RequestStopTransaction", "Accepted"),
            ("ReserveNow", "Accepted"):
            .accepted
        default: .rejected
        }
    }
}
