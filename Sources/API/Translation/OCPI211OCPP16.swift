import Crypto
import Domain
import Foundation
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
                    "idTag": .string(idTag(forToken: request.tokenUid ?? "")), "reservationId": .number(String(request.reservationId ?? 0)),
                ])
            )
        case .unlockConnector:
            ("UnlockConnector", .object(["connectorId": connector]))
        default:
            ("RemoteStartTransaction", .object(["connectorId": connector, "idTag": .string(idTag(forToken: request.tokenUid ?? ""))]))
        }
    }

    /// The OCPP idTag (CiString20) a token is presented to the charger as: its uid when that fits,
    /// else `H` and the first 19 hex digits of the uid's SHA-256 — the same for the same token
    /// every time, so the transaction it starts still binds to the command (`SessionBinding`).
    /// OCPI uids are up to 36 characters; an OCPI 2.2.1 APP_USER token's is typically a UUID, which
    /// a conforming 1.6 charger refuses (found with the Python `ocpp` charger).
    static func idTag(forToken uid: String) -> String {
        guard uid.count > 20 else { return uid }
        return "H" + SHA256.hash(data: Data(uid.utf8)).prefix(10).upperHexString.prefix(19)
    }

    /// Whether a charger's id tag (1.6) or idToken (2.0.1, which carries the uid as it is) is the
    /// token a command named: case-insensitive, as both OCPP versions compare them.
    static func presents(_ uid: String?, as idTag: String) -> Bool {
        guard let uid else { return false }
        return uid.caseInsensitiveCompare(idTag) == .orderedSame || Self.idTag(forToken: uid).caseInsensitiveCompare(idTag) == .orderedSame
    }

    /// OCPI → OCPP: the CALL for STOP_SESSION of the session on transaction `transactionId`.
    static func stopCall(transactionId: TransactionId) -> (action: String, payload: JSONValue) {
        ("RemoteStopTransaction", .object(["transactionId": .number(transactionId.text)]))
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
