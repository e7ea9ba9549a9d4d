import Ledger

/// Where OCPI 2.1.1 commands and OCPP 1.6J messages meet, both directions: the CALL a command
/// becomes, and what the charger's answer means for the command's result. The one file a second
/// protocol pair (OCPI 2.2.1, OCPP 2.0.1) gets a sibling of.
enum OCPI211OCPP16 {
    /// OCPI → OCPP: the CALL for a command addressed to an EVSE (START_SESSION, RESERVE_NOW, UNLOCK_CONNECTOR).
    static func call(for request: CommandRequest, at evse: LocationRegistry.EVSE) -> (action: String, payload: JSONValue) {
        let connector = JSONValue.number(String(evse.connectorId))
        return switch request.type {
        case .reserveNow:
            (
                "ReserveNow",
                .object([
                    "connectorId": connector, "expiryDate": .string(request.expiryDate?.ocpiDateTime ?? ""),
                    "idTag": .string(request.tokenUid ?? ""), "reservationId": .number(String(request.reservationId ?? 0)),
                ])
            )
        case .unlockConnector:
            ("UnlockConnector", .object(["connectorId": connector]))
        default:
            // OCPP idTag is CiString20; OCPI's token uid may be up to 36: sent as is, the charger decides.
            ("RemoteStartTransaction", .object(["connectorId": connector, "idTag": .string(request.tokenUid ?? "")]))
        }
    }

    /// OCPI → OCPP: the CALL for STOP_SESSION of the session on transaction `transactionId`.
    static func stopCall(transactionId: Int) -> (action: String, payload: JSONValue) {
        ("RemoteStopTransaction", .object(["transactionId": .number(String(transactionId))]))
    }

    /// OCPP → OCPI: what a `.conf` status means for the command that sent `action`.
    static func result(of action: String, status: String?) -> CommandResult {
        switch (action, status) {
        case (_, "Accepted"), ("UnlockConnector", "Unlocked"): .accepted
        case ("UnlockConnector", "NotSupported"): .notSupported
        default: .rejected
        }
    }

    /// OCPP → OCPI: what a CALLERROR means for the command.
    static func result(ofCallError code: String) -> CommandResult {
        code == "NotImplemented" || code == "NotSupported" ? .notSupported : .rejected
    }
}
