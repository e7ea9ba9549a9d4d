import Domain
import Foundation
import Ledger

/// The recorded logs under `Golden/`, as the code that wrote them.
enum Scenarios {
    static let all: [(name: String, write: @Sendable (ScenarioWriter) async throws -> Void)] = [
        ("remote_start", remoteStart),
        ("local_rfid", localRfid),
        ("command_timeout", commandTimeout),
        ("no_authorization_id", noAuthorizationId),
        ("dispute_two_authorizations_three_cdrs", dispute),
        ("start_again_same_second", startAgainSameSecond),
        ("ocpi221_remote_start", ocpi221RemoteStart),
        ("ocpp201_remote_start_gap", ocpp201RemoteStartGap),
    ]

    /// A START_SESSION sent to an OCPP 2.0.1 station as RequestStartTransaction with remoteStartId
    /// 418; the station's transaction (its own id) echoes it and is bound by it, without a window;
    /// seqNo 2 never arrives (the session is flagged); the CDR is issued all the same.
    static func ocpp201RemoteStartGap(_ w: ScenarioWriter) async throws {
        let transaction = TransactionId(station: "7c9e6679-7425-40de-944b-e07fc1f90ae7")
        try await startCommand(w, id: "cmd-start-201", authorizationId: Vectors.remoteAuthorization, chargerResult: "ACCEPTED", remoteStartId: 418)
        try await session(
            w,
            id: "SES-201",
            transactionId: transaction,
            commandId: "cmd-start-201",
            authorizationId: Vectors.remoteAuthorization,
            meter: (1_523_010, 1_525_742),
            matchedOn: ["remote_start_id", "id_token", "evse"],
            remoteStartId: 418
        )
        for (seqNo, type, trigger) in [(0, "Started", "RemoteStart"), (1, "Updated", "MeterValuePeriodic"), (3, "Ended", "RemoteStop")] {
            try await w.emit(
                TransactionEventReceived(
                    chargePointId: Vectors.chargePoint,
                    transactionId: transaction,
                    sessionId: "SES-201",
                    seqNo: seqNo,
                    eventType: type,
                    triggerReason: trigger,
                    timestamp: w.at(Int64(45 + seqNo * 10)),
                    offline: seqNo == 3 ? true : nil,
                    remoteStartId: seqNo == 0 ? 418 : nil,
                    messageId: "cs-\(seqNo)"
                ),
                stream: "session-SES-201",
                source: "ocpp:\(Vectors.chargePoint)",
                correlation: "SES-201"
            )
        }
        try await end(w, session: "SES-201", meterStop: 1_530_744, cdr: "CDR-201", authorizationId: Vectors.remoteAuthorization)
    }

    /// An OCPI 2.2.1 StartSession (authorization_reference, the token's owner, the IOP's request
    /// ids and routing), its 2.2.1 CommandResult sent with its own X-Request-ID, and the session
    /// it starts carrying the token: the facts `ledger audit --request-id` and the 2.2.1 objects
    /// are built from.
    static func ocpi221RemoteStart(_ w: ScenarioWriter) async throws {
        let reference = "6b1f0d2e-3c4a-4f5b-9e8d-7a6b5c4d3e2f"
        let via221 = OCPI221Facts(
            token: TokenSnapshot(
                countryCode: "NL",
                partyId: "EMS",
                uid: "5f2b9c1e-7a34-4d8e-b1c2-9e0f12ab34cd",
                type: "APP_USER",
                contractId: "NL-EMS-C12345678-K"
            ),
            received: OCPIExchange(requestId: "req-start-221", correlationId: "corr-221", from: "NL/EMS", to: "FR/ABC"),
            resultRequestId: "req-result-221"
        )
        try await startCommand(w, id: "cmd-start-221", authorizationId: reference, chargerResult: "ACCEPTED", via221: via221)
        try await session(
            w,
            id: "SES-221",
            transactionId: 221,
            commandId: "cmd-start-221",
            authorizationId: reference,
            meter: (0, 8000),
            idTag: OCPI221Facts.hashedIdTag,
            token: via221.token
        )
        try await end(w, session: "SES-221", meterStop: 8000, cdr: "CDR-221", authorizationId: reference)
    }

    /// START_SESSION with an authorization_id, accepted, charged, stopped, CDR issued.
    static func remoteStart(_ w: ScenarioWriter) async throws {
        try await startCommand(w, id: "cmd-start-1", authorizationId: Vectors.remoteAuthorization, chargerResult: "ACCEPTED")
        try await session(
            w,
            id: "SES-1",
            transactionId: 15,
            commandId: "cmd-start-1",
            authorizationId: Vectors.remoteAuthorization,
            meter: (1000, 18456 + 1000)
        )
        try await stopCommand(w, id: "cmd-stop-1", sessionId: "SES-1")
        try await end(w, session: "SES-1", meterStop: 18456 + 1000, cdr: "CDR-1", authorizationId: Vectors.remoteAuthorization)
    }

    /// A local RFID swipe authorized in real time by the IOP, whose authorization_id the session inherits.
    static func localRfid(_ w: ScenarioWriter) async throws {
        try await w.emit(
            AuthorizeRequested(
                chargePointId: Vectors.chargePoint,
                idTag: Vectors.rfidUid,
                connectorId: 1,
                locationId: Vectors.location,
                evseUid: Vectors.evse
            ),
            stream: "chargepoint-\(Vectors.chargePoint)",
            source: "ocpp:\(Vectors.chargePoint)",
            correlation: nil
        )
        try await w.emit(
            AuthorizationDecided(
                chargePointId: Vectors.chargePoint,
                idTag: Vectors.rfidUid,
                allowed: "ALLOWED",
                authorizationId: Vectors.rfidAuthorization,
                decidedBy: "iop",
                locationId: Vectors.location,
                evseUid: Vectors.evse
            ),
            stream: "chargepoint-\(Vectors.chargePoint)",
            source: "iop",
            correlation: nil
        )
        try await session(
            w,
            id: "SES-2",
            transactionId: 16,
            commandId: nil,
            authorizationId: Vectors.rfidAuthorization,
            meter: (5000, 12000),
            idTag: Vectors.rfidUid,
            matchedOn: ["authorize", "id_tag", "connector"]
        )
        try await end(w, session: "SES-2", meterStop: 12000, cdr: "CDR-2", authorizationId: Vectors.rfidAuthorization)
    }

    /// The charger says nothing before the deadline: TIMEOUT goes out; its late ACCEPTED is still
    /// recorded, and the session that starts anyway is bound and billed.
    static func commandTimeout(_ w: ScenarioWriter) async throws {
        let authorization = "c7d2a4e1-5f3b-4a8c-9e6d-1b0a2f3c4d5e"
        try await startCommand(w, id: "cmd-start-3", authorizationId: authorization, chargerResult: nil)
        try await w.emit(
            CommandTimedOut(commandId: "cmd-start-3", deadline: w.at(0)),
            stream: "command-cmd-start-3",
            source: "timer",
            correlation: "cmd-start-3",
            after: 30
        )
        try await queueResult(w, command: "cmd-start-3", result: "TIMEOUT", delivery: "dlv-cmd-start-3")
        try await w.emit(
            LateChargerResponse(
                commandId: "cmd-start-3",
                chargePointId: Vectors.chargePoint,
                messageId: "msg-cmd-start-3",
                frame: #"[3,"msg-cmd-start-3",{"status":"Accepted"}]"#,
                result: "ACCEPTED"
            ),
            stream: "command-cmd-start-3",
            source: "ocpp:\(Vectors.chargePoint)",
            correlation: "cmd-start-3",
            after: 12
        )
        try await session(w, id: "SES-3", transactionId: 17, commandId: "cmd-start-3", authorizationId: authorization, meter: (0, 7300))
        try await end(w, session: "SES-3", meterStop: 7300, cdr: "CDR-3", authorizationId: authorization)
    }

    /// START_SESSION without authorization_id (vector G-03): the key is absent all the way to the CDR.
    static func noAuthorizationId(_ w: ScenarioWriter) async throws {
        try await startCommand(w, id: "cmd-start-4", authorizationId: nil, chargerResult: "ACCEPTED")
        try await session(w, id: "SES-4", transactionId: 18, commandId: "cmd-start-4", authorizationId: nil, meter: (200, 3200))
        try await end(w, session: "SES-4", meterStop: 3200, cdr: "CDR-4", authorizationId: nil)
    }

    /// Gireve's dispute: an eMSP gave 2 authorizations and received 3 CDRs.
    ///
    /// A (remote start) opens SES-5. The eMSP, not seeing a result fast enough, sends a second
    /// START_SESSION with authorization B; the charger accepts it on the running transaction, so
    /// SES-5 receives B as well. SES-5 ends and its CDR carries B (the last one). A restart of the
    /// charger replays the transaction as SES-6, bound to A by id tag and connector, billed as
    /// CDR-6. A re-issue after a crash produces CDR-5b for SES-5 carrying A. Result: A → SES-5,
    /// SES-6, CDR-6, CDR-5b; B → SES-5, CDR-5. The audit must show SES-5 was billed twice.
    static func dispute(_ w: ScenarioWriter) async throws {
        let a = "d1a0b2c3-0000-4aaa-8000-00000000000a"
        let b = "d1a0b2c3-0000-4bbb-8000-00000000000b"
        try await startCommand(w, id: "cmd-dispute-a", authorizationId: a, chargerResult: "ACCEPTED")
        try await session(w, id: "SES-5", transactionId: 21, commandId: "cmd-dispute-a", authorizationId: a, meter: (10000, 14000))
        try await startCommand(w, id: "cmd-dispute-b", authorizationId: b, chargerResult: "ACCEPTED")
        try await w.emit(
            AuthorizationBound(
                sessionId: "SES-5",
                authorizationId: b,
                commandId: "cmd-dispute-b",
                matchedOn: ["id_tag", "connector", "window"],
                deltaMs: 4000,
                candidates: 1
            ),
            stream: "session-SES-5",
            source: "ocpp:\(Vectors.chargePoint)",
            correlation: "SES-5"
        )
        try await end(w, session: "SES-5", meterStop: 16000, cdr: "CDR-5", authorizationId: b)
        try await session(
            w,
            id: "SES-6",
            transactionId: 22,
            commandId: nil,
            authorizationId: a,
            meter: (16000, 16900),
            matchedOn: ["id_tag", "connector"]
        )
        try await end(w, session: "SES-6", meterStop: 16900, cdr: "CDR-6", authorizationId: a)
        try await cdr(w, id: "CDR-5b", session: "SES-5", authorizationId: a, meter: (10000, 16000), start: w.at(-900), stop: w.at(-600))
    }

    /// A charger resends a StartTransaction whose answer it lost (same message): one session. The
    /// transaction ends in the second it started, with nothing charged, and its StopTransaction is
    /// resent too; then, in that same second, a driver starts again with the same tag and the same
    /// meter: a second session and CDR, not a resend of the first — only an open transaction can
    /// be sent again (the charge once swallowed by matching EVSE, tag, start time and meter alone).
    static func startAgainSameSecond(_ w: ScenarioWriter) async throws {
        let source = "ocpp:\(Vectors.chargePoint)"
        let second = w.at(45)
        try await session(
            w,
            id: "SES-7",
            transactionId: 23,
            commandId: nil,
            authorizationId: nil,
            meter: (3000, 3000),
            idTag: Vectors.rfidUid,
            messageId: "msg-start-23",
            startedAt: second
        )
        try await w.emit(
            TransactionMessageRepeated(
                chargePointId: Vectors.chargePoint,
                action: "StartTransaction",
                sessionId: "SES-7",
                transactionId: 23,
                matchedOn: ["open", "connector", "id_tag", "meter_start", "timestamp", "message_id"],
                messageId: "msg-start-23",
                frame: #"[2,"msg-start-23","StartTransaction",{}]"#
            ),
            stream: "session-SES-7",
            source: source,
            correlation: "SES-7"
        )
        try await end(w, session: "SES-7", meterStop: 3000, cdr: "CDR-7", authorizationId: nil, endedAt: second)
        try await w.emit(
            TransactionMessageRepeated(
                chargePointId: Vectors.chargePoint,
                action: "StopTransaction",
                sessionId: "SES-7",
                transactionId: 23,
                matchedOn: ["completed", "meter_stop", "timestamp"],
                messageId: "msg-stop-23",
                frame: #"[2,"msg-stop-23","StopTransaction",{}]"#
            ),
            stream: "session-SES-7",
            source: source,
            correlation: "SES-7"
        )
        try await session(
            w,
            id: "SES-8",
            transactionId: 24,
            commandId: nil,
            authorizationId: nil,
            meter: (3000, 3000),
            idTag: Vectors.rfidUid,
            messageId: "msg-start-24",
            startedAt: second
        )
        try await end(w, session: "SES-8", meterStop: 3000, cdr: "CDR-8", authorizationId: nil, endedAt: second)
    }

    // MARK: - Building blocks

    /// `via221`: the command came over OCPI 2.2.1 (its token, ids and routing; its result sent so).
    static func startCommand(
        _ w: ScenarioWriter,
        id: String,
        authorizationId: String?,
        chargerResult: String?,
        via221: OCPI221Facts? = nil,
        remoteStartId: Int? = nil
    ) async throws {
        let stream = "command-\(id)"
        let responseURL = "\(Vectors.iop)/commands/START_SESSION/\(id)"
        let authorizationField = authorizationId.map { #","\#(via221 == nil ? "authorization_id" : "authorization_reference")":"\#($0)""# } ?? ""
        let token =
            via221.map {
                #"{"country_code":"\#($0.token.countryCode)","party_id":"\#($0.token.partyId)","uid":"\#($0.token.uid)","type":"\#($0.token.type)","contract_id":"\#($0.token.contractId)","issuer":"EMS","valid":true,"whitelist":"NEVER","last_updated":"2024-02-01T08:00:00Z"}"#
            }
            ?? #"{"uid":"\#(Vectors.tokenUid)","type":"OTHER","auth_id":"\#(Vectors.authId)","issuer":"FR*XYZ","valid":true,"whitelist":"ALWAYS","last_updated":"2024-02-01T08:00:00Z"}"#
        let body =
            #"{"response_url":"\#(responseURL)","token":\#(token)\#(authorizationField),"location_id":"\#(Vectors.location)","evse_uid":"\#(Vectors.evse)"}"#
        try await w.emit(
            CommandReceived(
                commandId: id,
                command: "START_SESSION",
                body: body,
                bodyHash: "sha256-of-\(id)",
                responseUrl: responseURL,
                locationId: Vectors.location,
                evseUid: Vectors.evse,
                tokenUid: via221?.token.uid ?? Vectors.tokenUid,
                authId: via221?.token.contractId ?? Vectors.authId,
                authorizationId: authorizationId,
                ocpiVersion: via221.map { _ in "2.2.1" },
                token: via221?.token,
                exchange: via221?.received
            ),
            stream: stream,
            source: "ocpi",
            correlation: id
        )
        try await w.emit(
            CommandAnswered(commandId: id, statusCode: 1000, result: "ACCEPTED"),
            stream: stream,
            source: "ocpi",
            correlation: id,
            after: 0
        )
        try await w.emit(
            CommandDispatched(
                commandId: id,
                chargePointId: Vectors.chargePoint,
                action: remoteStartId == nil ? "RemoteStartTransaction" : "RequestStartTransaction",
                messageId: "msg-\(id)",
                connectorId: 1,
                deadline: w.at(30),
                remoteStartId: remoteStartId
            ),
            stream: stream,
            source: "ocpi",
            correlation: id,
            after: 0
        )
        guard let chargerResult else { return }
        try await w.emit(
            ChargerResponded(
                commandId: id,
                chargePointId: Vectors.chargePoint,
                messageId: "msg-\(id)",
                frame: #"[3,"msg-\#(id)",{"status":"Accepted"}]"#,
                result: chargerResult
            ),
            stream: stream,
            source: "ocpp:\(Vectors.chargePoint)",
            correlation: id
        )
        try await queueResult(w, command: id, result: chargerResult, delivery: "dlv-\(id)", via221: via221)
    }

    static func stopCommand(_ w: ScenarioWriter, id: String, sessionId: String) async throws {
        let stream = "command-\(id)"
        let responseURL = "\(Vectors.iop)/commands/STOP_SESSION/\(id)"
        try await w.emit(
            CommandReceived(
                commandId: id,
                command: "STOP_SESSION",
                body: #"{"response_url":"\#(responseURL)","session_id":"\#(sessionId)"}"#,
                bodyHash: "sha256-of-\(id)",
                responseUrl: responseURL,
                sessionId: sessionId
            ),
            stream: stream,
            source: "ocpi",
            correlation: id,
            after: 600
        )
        try await w.emit(
            CommandAnswered(commandId: id, statusCode: 1000, result: "ACCEPTED"),
            stream: stream,
            source: "ocpi",
            correlation: id,
            after: 0
        )
        try await w.emit(
            CommandDispatched(
                commandId: id,
                chargePointId: Vectors.chargePoint,
                action: "RemoteStopTransaction",
                messageId: "msg-\(id)",
                deadline: w.at(30)
            ),
            stream: stream,
            source: "ocpi",
            correlation: id,
            after: 0
        )
        try await w.emit(
            ChargerResponded(
                commandId: id,
                chargePointId: Vectors.chargePoint,
                messageId: "msg-\(id)",
                frame: #"[3,"msg-\#(id)",{"status":"Accepted"}]"#,
                result: "ACCEPTED"
            ),
            stream: stream,
            source: "ocpp:\(Vectors.chargePoint)",
            correlation: id
        )
        try await queueResult(w, command: id, result: "ACCEPTED", delivery: "dlv-\(id)")
    }

    static func queueResult(_ w: ScenarioWriter, command: String, result: String, delivery: String, via221: OCPI221Facts? = nil) async throws {
        let stream = "command-\(command)"
        try await w.emit(
            CommandResultQueued(commandId: command, result: result, deliveryId: delivery),
            stream: stream,
            source: "ocpi",
            correlation: command,
            after: 0
        )
        try await w.emit(
            DeliveryScheduled(
                deliveryId: delivery,
                kind: .commandResult,
                target: "response_url:\(command)",
                method: "POST",
                url: "\(Vectors.iop)/commands/\(command)",
                body: #"{"result":"\#(result)"}"#,
                commandId: command,
                ocpiVersion: via221.map { _ in "2.2.1" },
                exchange: via221.map { OCPIExchange(correlationId: $0.received.correlationId, from: "FR/ABC", to: "FR/107") }
            ),
            stream: "delivery-\(delivery)",
            source: "ocpi",
            correlation: command,
            after: 0
        )
        try await w.emit(
            DeliveryAttempted(deliveryId: delivery, attempt: 1, httpStatus: 200, ocpiStatus: 1000, requestId: via221?.resultRequestId),
            stream: "delivery-\(delivery)",
            source: "outbox",
            correlation: command
        )
        try await w.emit(DeliverySucceeded(deliveryId: delivery), stream: "delivery-\(delivery)", source: "outbox", correlation: command, after: 0)
    }

    static func session(
        _ w: ScenarioWriter,
        id: String,
        transactionId: TransactionId,
        commandId: String?,
        authorizationId: String?,
        meter: (start: Int, reading: Int),
        idTag: String = Vectors.tokenUid,
        matchedOn: [String] = ["id_tag", "connector", "window"],
        messageId: String? = nil,
        startedAt: Timestamp? = nil,
        token: TokenSnapshot? = nil,
        remoteStartId: Int? = nil
    ) async throws {
        let stream = "session-\(id)"
        let source = "ocpp:\(Vectors.chargePoint)"
        try await w.emit(
            SessionStarted(
                sessionId: id,
                chargePointId: Vectors.chargePoint,
                connectorId: 1,
                transactionId: transactionId,
                idTag: idTag,
                locationId: Vectors.location,
                evseUid: Vectors.evse,
                authId: Vectors.authId,
                authMethod: "AUTH_REQUEST",
                startedAt: startedAt ?? w.at(45),
                meterStartWh: meter.start,
                currency: "EUR",
                authorizationId: authorizationId,
                commandId: commandId,
                messageId: messageId,
                token: token
            ),
            stream: stream,
            source: source,
            correlation: id,
            after: 45
        )
        try await w.emit(
            AuthorizationBound(
                sessionId: id,
                authorizationId: authorizationId,
                commandId: commandId,
                matchedOn: matchedOn,
                deltaMs: remoteStartId == nil ? 45_000 : nil,
                candidates: 1,
                remoteStartId: remoteStartId
            ),
            stream: stream,
            source: source,
            correlation: id,
            after: 0
        )
        try await w.emit(
            DeliveryScheduled(
                deliveryId: "dlv-put-\(id)",
                kind: .sessionPut,
                target: "session:\(id)",
                method: "PUT",
                url: "\(Vectors.iop)/sessions/FR/ABC/\(id)",
                body: "{}",
                sessionId: id
            ),
            stream: "delivery-dlv-put-\(id)",
            source: "ocpi",
            correlation: id,
            after: 0
        )
        try await w.emit(DeliverySucceeded(deliveryId: "dlv-put-\(id)"), stream: "delivery-dlv-put-\(id)", source: "outbox", correlation: id)
        try await w.emit(
            MeterValuesRecorded(sessionId: id, measuredAt: w.at(300), meterWh: meter.reading),
            stream: stream,
            source: source,
            correlation: id,
            after: 300
        )
    }

    static func end(
        _ w: ScenarioWriter,
        session id: String,
        meterStop: Int,
        cdr cdrId: String,
        authorizationId: String?,
        endedAt: Timestamp? = nil
    ) async throws {
        let stream = "session-\(id)"
        let endedAt = endedAt ?? w.at(60)
        try await w.emit(
            SessionEnded(sessionId: id, endedAt: endedAt, meterStopWh: meterStop, reason: "Remote"),
            stream: stream,
            source: "ocpp:\(Vectors.chargePoint)",
            correlation: id,
            after: 60
        )
        let started = try await w.store.readStream(stream, fromVersion: 1, limit: 1)
        let start = try EventCatalogue.standard.decode(started[0])
        guard case .sessionStarted(let s) = start else { return }
        try await cdr(
            w,
            id: cdrId,
            session: id,
            authorizationId: authorizationId,
            meter: (s.meterStartWh, meterStop),
            start: s.startedAt,
            stop: endedAt
        )
    }

    static func cdr(
        _ w: ScenarioWriter,
        id: String,
        session: String,
        authorizationId: String?,
        meter: (Int, Int),
        start: Timestamp,
        stop: Timestamp
    ) async throws {
        let energy = Double(meter.1 - meter.0) / 1000
        let hours = Double(stop.millisecondsSinceEpoch - start.millisecondsSinceEpoch) / 3_600_000
        try await w.emit(
            CdrIssued(
                cdrId: id,
                sessionId: session,
                authorizationId: authorizationId,
                authId: Vectors.authId,
                authMethod: "AUTH_REQUEST",
                locationId: Vectors.location,
                evseUid: Vectors.evse,
                currency: "EUR",
                startDateTime: start,
                stopDateTime: stop,
                totalEnergy: energy,
                totalTime: hours,
                totalCost: 0,
                chargingPeriods: [ChargingPeriod(startDateTime: start, dimensions: [CdrDimension(type: "ENERGY", volume: energy)])]
            ),
            stream: "cdr-\(id)",
            source: "ocpi",
            correlation: session,
            after: 1
        )
        try await w.emit(
            DeliveryScheduled(
                deliveryId: "dlv-\(id)",
                kind: .cdr,
                target: "session:\(session)",
                method: "POST",
                url: "\(Vectors.iop)/cdrs",
                body: "{}",
                sessionId: session,
                cdrId: id
            ),
            stream: "delivery-dlv-\(id)",
            source: "ocpi",
            correlation: session,
            after: 0
        )
        try await w.emit(DeliverySucceeded(deliveryId: "dlv-\(id)"), stream: "delivery-dlv-\(id)", source: "outbox", correlation: session)
    }
}

/// What makes a scenario's command an OCPI 2.2.1 one.
struct OCPI221Facts {
    var token: TokenSnapshot
    /// The StartSession's ids and routing, as received.
    var received: OCPIExchange
    /// The X-Request-ID its CommandResult went out with.
    var resultRequestId: String

    /// What the charger was sent for the token's 36-character uid (OCPP 1.6's idTag holds 20):
    /// `OCPI211OCPP16.idTag(forToken:)` of it.
    static let hashedIdTag = "HB5CB265293E66C23A82"
}
