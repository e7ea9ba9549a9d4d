import Domain
import Foundation
import Ledger
import Projections

/// What an OCPI command gets, decided from the request, the locations and what is known of the
/// charger: a pure function (no I/O, no clock), so each rule is unit-tested without HTTP or a
/// ledger. `CommandService` reads what the policy asks for, then records and sends what it decides.
///
/// A request goes: `parse` (JSON, offered type, fields, response_url) → the service looks for an
/// earlier copy (`repeated`) → `subject` (which EVSE or session it is about) → the service reads
/// that charger's route and connector → `decide` / `decideStop` → `withWarnings`.
struct CommandPolicy: Sendable {
    let locations: LocationRegistry
    let offered: Set<CommandType>
    /// Where a `response_url` may point: it is called with the CPO's token.
    let responseURLs: ResponseURLPolicy

    /// The decision for one request, before it is recorded.
    struct Decision {
        var response: OCPIResponse
        var dispatch: Dispatch?
        var warnings: [String] = []
        var duplicateOf: String?
        /// Why a command is REJECTED, for the answers that say it (OCPI 2.2.1's `message`).
        var reason: String?
    }

    /// A CALL to send, and through which instance (`nil`: this one).
    struct Dispatch {
        var chargePointId: String
        var action: String
        var payload: JSONValue
        var connectorId: Int?
        var via: String?
        /// OCPP 2.0.1's `remoteStartId` in the CALL.
        var remoteStartId: Int?
    }

    /// Which instance a CALL to a charger leaves from.
    enum Route {
        /// This one: the charger is connected here.
        case here
        /// Another live instance, which the log says holds the charger's connection.
        case via(instance: String)

        var via: String? {
            guard case .via(let instance) = self else { return nil }
            return instance
        }
    }

    /// What a command is about, once validated: what the service must read before deciding.
    enum Subject {
        /// An EVSE of the locations file (START_SESSION, RESERVE_NOW, UNLOCK_CONNECTOR).
        case evse(LocationRegistry.EVSE)
        /// A session (STOP_SESSION).
        case session(id: String)
        /// Nothing to read: the request is answered as it stands.
        case answered(Decision)
    }

    /// The request, or the answer that refuses it: not JSON (2000), not offered (NOT_SUPPORTED),
    /// a field that breaks its rule or a `response_url` that may not be called (2001).
    /// On OCPI 2.2.1 only START_SESSION and STOP_SESSION are offered (Gireve's two; spec digest C11).
    func parse(segment: String, json: JSONValue?, version: OCPIVersion = .v211) -> Result<CommandRequest, Refusal> {
        guard let json else { return .failure(Refusal(.malformed("the body is not valid JSON"))) }
        guard let type = CommandType(rawValue: segment), offered.contains(type), version == .v211 || CommandType.gireve.contains(type) else {
            return .failure(Refusal(.command(.notSupported)))
        }
        let request: CommandRequest
        do { request = try CommandRequest(type: type, body: json, version: version) } catch { return .failure(Refusal(.invalid(error.message))) }
        do { _ = try responseURLs.check(request.responseURL) } catch { return .failure(Refusal(.invalid(error.description))) }
        return .success(request)
    }

    /// OCPI 2.2.1: a command must be addressed (`OCPI-to-*`) to this CPO, `ours` (`FR/ABC`). No
    /// addressee: 2001 (which operator is meant cannot be told, spec digest §2.2); another one:
    /// 2003, as for a Location that operator does not own (X2-02) — this CPO is not a hub and
    /// forwards nothing.
    func addressee(_ to: String?, ours: String) -> Refusal? {
        guard let to else {
            return Refusal(.invalid("OCPI-to-country-code and OCPI-to-party-id are required on an OCPI 2.2.1 command: this platform hosts \(ours)"))
        }
        guard to.caseInsensitiveCompare(ours) == .orderedSame else {
            return Refusal(.unknownLocation("Unknown receiver \(to): this platform hosts \(ours) only, and forwards nothing"))
        }
        return nil
    }

    /// A decision that refuses a request outright (an `Error` so that `parse` can return a `Result`).
    struct Refusal: Error {
        let decision: Decision
        init(_ response: OCPIResponse) { decision = Decision(response: response) }
    }

    /// A copy of `original` (same type and response_url): the same body gets the original answer
    /// and is not sent again; another body is a conflict (2001).
    func repeated(_ received: CommandReceived, original: CommandsProjection.State) -> Decision {
        guard original.bodyHash == received.bodyHash else {
            var decision = Decision(
                response: .invalid(
                    "a different \(received.command) with this response_url was received at \(original.receivedAt.ocpiDateTime) (command \(original.commandId))"
                )
            )
            decision.duplicateOf = original.commandId
            return decision
        }
        let response =
            original.answer.map {
                OCPIResponse(
                    httpStatus: $0.httpStatus,
                    statusCode: $0.statusCode,
                    statusMessage: $0.statusMessage,
                    data: $0.result.map { .object(["result": .string($0)]) }
                )
            } ?? .serverError("the original command has no recorded answer")
        var decision = Decision(response: response)
        decision.duplicateOf = original.commandId
        return decision
    }

    /// The EVSE or session the request is about, or its answer when the locations refuse it.
    func subject(of request: CommandRequest) -> Subject {
        if request.type == .stopSession { return .session(id: request.sessionId ?? "") }
        guard let locationId = request.locationId, locations.hasLocation(locationId) else {
            return .answered(Decision(response: .unknownLocation("Unknown location_id: \(request.locationId ?? "")")))
        }
        guard let evseUid = request.evseUid else {
            return .answered(Decision(response: .command(.notSupported)))  // a reservation for a whole location: not offered
        }
        guard let evse = locations.evse(location: locationId, uid: evseUid) else {
            return .answered(Decision(response: .unknownLocation("Unknown evse_uid \(evseUid) at location \(locationId)")))
        }
        if request.type == .startSession, let connectorId = request.connectorId,
            !evse.connectorIds.contains(where: { $0.caseInsensitiveCompare(connectorId) == .orderedSame })
        {
            return .answered(Decision(response: .unknownLocation("Unknown connector_id \(connectorId) at EVSE \(evseUid)")))
        }
        let capability =
            switch request.type {
            case .reserveNow: "RESERVABLE"
            case .unlockConnector: "UNLOCK_CAPABLE"
            default: "REMOTE_START_STOP_CAPABLE"
            }
        guard evse.capabilities.contains(capability) else { return .answered(Decision(response: .command(.notSupported))) }
        return .evse(evse)
    }

    /// A command to an EVSE: sent if its charger can be reached (`route`) and, except to unlock
    /// it, its connector is free; in the charger's OCPP version, a START_SESSION to an OCPP 2.0.1
    /// station with `remoteStartId`.
    func decide(
        _ request: CommandRequest,
        at evse: LocationRegistry.EVSE,
        route: Route?,
        connectorFree: Bool,
        ocpp: OCPPVersion = .v16,
        remoteStartId: Int? = nil
    ) -> Decision {
        guard let route else { return Decision(response: .command(.rejected), reason: "The charge point is not connected.") }
        if request.type != .unlockConnector, !connectorFree {
            return Decision(response: .command(.rejected), reason: "The EVSE is in use, reserved or out of order.")
        }
        let (action, payload) =
            ocpp == .v201 ? OCPI211OCPP201.call(for: request, at: evse, remoteStartId: remoteStartId) : OCPI211OCPP16.call(for: request, at: evse)
        return Decision(
            response: .command(.accepted),
            dispatch: Dispatch(
                chargePointId: evse.chargePointId,
                action: action,
                payload: payload,
                connectorId: evse.connectorId,
                via: route.via,
                remoteStartId: ocpp == .v201 && request.type == .startSession ? remoteStartId : nil
            )
        )
    }

    /// STOP_SESSION: sent if the session is still active and its charger can be reached.
    func decideStop(_ request: CommandRequest, session: SessionsProjection.State?, route: Route?, ocpp: OCPPVersion = .v16) -> Decision {
        guard let session else { return Decision(response: .command(.unknownSession)) }
        guard session.status == .active else { return Decision(response: .command(.rejected), reason: "The session has ended.") }
        guard let route else { return Decision(response: .command(.rejected), reason: "The charge point is not connected.") }
        let (action, payload) =
            ocpp == .v201
            ? OCPI211OCPP201.stopCall(transactionId: session.transactionId) : OCPI211OCPP16.stopCall(transactionId: session.transactionId)
        return Decision(
            response: .command(.accepted),
            dispatch: Dispatch(
                chargePointId: session.chargePointId,
                action: action,
                payload: payload,
                connectorId: session.connectorId,
                via: route.via
            )
        )
    }

    /// A decision for a valid request (not a copy), with what is odd about the request recorded beside it.
    func withWarnings(_ request: CommandRequest, _ decision: Decision) -> Decision {
        var decision = decision
        if let authorizationId = request.authorizationId, authorizationId.count > CommandRequest.authorizationIdWarningLength {
            decision.warnings.append(
                "authorization_id has \(authorizationId.count) characters (more than \(CommandRequest.authorizationIdWarningLength)); stored verbatim"
            )
        }
        return decision
    }
}
