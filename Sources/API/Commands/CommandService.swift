import Crypto
import Domain
import Foundation
import Ledger
import Logging
import Projections

/// Records what an OCPI command gets (`CommandPolicy` decides) and dispatches it to the charger.
///
/// Every request that passed authentication is recorded — `CommandReceived` with the verbatim
/// body and `CommandAnswered` with the answer (plus `CommandDispatched` when it goes to a charger)
/// in one append to the command's own stream — and the answer leaves only once that is durable.
/// If it cannot be recorded, the IOP gets a 3000-class error and nothing was accepted.
///
/// With several instances on one ledger, the charger may be connected to another one: the
/// command is then recorded here as dispatched `via` that instance, which sends the CALL
/// (`RemoteDispatch`) and hears the answer.
public struct CommandService: Sendable {
    let store: any ProjectionStore
    /// What each command gets (pure); this service reads what it needs, records and sends.
    let policy: CommandPolicy
    let gateway: any ChargerGateway
    let coordination: any InstanceCoordination
    let clock: any LedgerClock
    /// How long a charger has to answer a CALL before the result is TIMEOUT.
    let commandTimeout: Duration
    let metrics: LedgerMetrics
    /// This CPO as OCPI 2.2.1 addresses it (`FR/ABC`): the only receiver its commands may name.
    let party: String
    private let repeats = KeyedSerializer()
    private let remoteStartIds: RemoteStartIds

    public init(
        store: any ProjectionStore,
        locations: LocationRegistry,
        gateway: any ChargerGateway,
        coordination: any InstanceCoordination = SoleInstance(),
        clock: any LedgerClock,
        commandTimeout: Duration,
        offered: Set<CommandType> = CommandType.gireve,
        responseURLs: ResponseURLPolicy = ResponseURLPolicy(iopURL: nil, allowedHosts: []),
        metrics: LedgerMetrics = LedgerMetrics(),
        party: String = "FR/ABC"
    ) {
        self.store = store
        policy = CommandPolicy(locations: locations, offered: offered, responseURLs: responseURLs)
        self.gateway = gateway
        self.coordination = coordination
        self.clock = clock
        self.commandTimeout = commandTimeout
        self.metrics = metrics
        self.party = party
        remoteStartIds = RemoteStartIds(store: store, coordination: coordination, clock: clock)
    }

    typealias Decision = CommandPolicy.Decision
    typealias Route = CommandPolicy.Route

    /// Handles `POST …/{version}/commands/{segment}` with an authenticated `body`, logging with
    /// the request's `logger` (its request id), to which the command's ids are added. `exchange`:
    /// an OCPI 2.2.1 request's ids and routing headers, recorded with it.
    public func handle(
        segment: String,
        body: [UInt8],
        logger: Logger,
        version: OCPIVersion = .v211,
        exchange: OCPIExchange? = nil
    ) async -> OCPIResponse {
        let started = ContinuousClock.now
        let response = await answer(segment: segment, body: body, logger: logger, version: version, exchange: exchange)
        // The label is the command's name only when it is one: a path segment is the caller's.
        metrics.commandAnswered(
            CommandType(rawValue: segment)?.rawValue ?? "unknown",
            answer: response.data?["result"]?.stringValue ?? String(response.statusCode),
            after: ContinuousClock.now - started
        )
        return response
    }

    private func answer(segment: String, body: [UInt8], logger: Logger, version: OCPIVersion, exchange: OCPIExchange?) async -> OCPIResponse {
        let commandId = UUID.timeOrdered().uuidString.lowercased()
        var logger = logger
        logger[metadataKey: "command_id"] = .string(commandId)
        let json = try? JSONValue(parsing: body)
        let received = Self.received(commandId: commandId, segment: segment, body: body, json: json, version: version, exchange: exchange)
        if let authorizationId = received.authorizationId { logger[metadataKey: "authorization_id"] = .untrusted(authorizationId) }

        // Copies of one command (same type and response_url) are decided one at a time, each after
        // the previous one is recorded, so that only the first can reach the charger: in this
        // instance by the serializer, across instances under the copies' lease.
        let repeatKey = received.responseUrl.map { "\(segment) \($0)" }
        let outcome = await repeats.serialize(repeatKey) {
            await aloneAcrossInstances(repeatKey, logger: logger) { () -> (Decision, OutboundCall?)? in
                var decision = await decide(segment: segment, json: json, received: received, version: version)
                if version == .v221 {
                    decision.response = CommandAnswers221.response(
                        decision.response,
                        timeoutSeconds: Int(commandTimeout.milliseconds / 1000),
                        reason: decision.reason
                    )
                    // OCPI 2.2.1 requires one on every request: answered all the same, noted for the IOP's support.
                    if received.exchange?.requestId == nil { decision.warnings.append("the OCPI 2.2.1 request carried no X-Request-ID") }
                }
                let deadline = clock.now().adding(milliseconds: commandTimeout.milliseconds)
                let call = decision.dispatch.map { OutboundCall(commandId: commandId, action: $0.action, payload: $0.payload, deadline: deadline) }
                do {
                    try await record(received, decision, call: call)
                } catch {
                    logger.error("command not recorded, answered 3000: \(error)")
                    return nil
                }
                return (decision, call)
            }
        }
        guard let (decision, call) = outcome else {
            return .serverError("the command could not be recorded; nothing was accepted — retry later")
        }
        logger.info(
            "command \(LogText.escaped(segment)) answered \(decision.response.data?["result"]?.stringValue ?? "OCPI \(decision.response.statusCode)")"
        )
        if let dispatch = decision.dispatch, dispatch.via == nil, let call {
            do {
                try await gateway.send(call, to: dispatch.chargePointId)
            } catch {
                // Recorded as dispatched: the deadline turns this into a TIMEOUT result.
                logger.warning("CALL to \(dispatch.chargePointId) not sent: \(error)")
            }
        }
        return decision.response
    }

    /// How long the copies of one command are one instance's, in ledger-clock ms, if that
    /// instance stops before it gives them back; and how long (real time) another instance waits
    /// for them before it answers 3000 (nothing recorded: the IOP retries, and then gets the
    /// first copy's answer).
    static let copiesLease: Int64 = 10_000
    static let copiesWait: Duration = .seconds(2)

    /// Runs `operation` holding the lease on the copies of one command (`key`) across the instances
    /// of the ledger; `nil` if another instance kept it for `copiesWait`. Held only while a copy is
    /// decided and recorded (a few milliseconds), so the wait polls: copies racing at two
    /// instances are rare, and a wait on the log would not see a lease given back.
    ///
    /// A ledger no other instance serves (SQLite) has no lease to take: not even a claim id is
    /// made (a random id per command, ~1 % of a START_SESSION's CPU).
    private func aloneAcrossInstances<T>(_ key: String?, logger: Logger, _ operation: () async -> T?) async -> T? {
        guard let key, coordination.sharesLedger else { return await operation() }
        let lane = "command-copies:\(key)"
        let claim = UUID.timeOrdered().uuidString.lowercased()
        let started = ContinuousClock.now
        do {
            while try await coordination.claim(lane, for: claim, now: clock.now(), until: clock.now().adding(milliseconds: Self.copiesLease)) != nil {
                guard ContinuousClock.now - started < Self.copiesWait else {
                    logger.warning("a copy of this command is being recorded by another instance for \(Self.copiesWait): answered 3000")
                    return nil
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        } catch {
            logger.error("lease on the copies of this command not taken, answered 3000: \(error)")
            return nil
        }
        let result = await operation()
        try? await coordination.release(lane, for: claim)  // a lease left behind lapses by itself
        return result
    }

    /// What was received, read leniently: a refused request keeps every field it did carry
    /// (an `authorization_id` on a request without `evse_uid` is still evidence). OCPI 2.2.1 names
    /// the same facts otherwise (`authorization_reference`, the token's `contract_id`) and adds the
    /// token's owner and type and a `connector_id`.
    static func received(
        commandId: String,
        segment: String,
        body: [UInt8],
        json: JSONValue?,
        version: OCPIVersion = .v211,
        exchange: OCPIExchange? = nil
    ) -> CommandReceived {
        let token = json?["token"]
        var received = CommandReceived(
            commandId: commandId,
            command: segment,
            body: String(decoding: body, as: UTF8.self),
            bodyHash: SHA256.hash(data: body).hexString,
            responseUrl: json?["response_url"]?.stringValue,
            locationId: json?["location_id"]?.stringValue,
            evseUid: json?["evse_uid"]?.stringValue,
            tokenUid: token?["uid"]?.stringValue,
            authId: token?[version == .v221 ? "contract_id" : "auth_id"]?.stringValue,
            sessionId: json?["session_id"]?.stringValue,
            authorizationId: json?[version == .v221 ? "authorization_reference" : "authorization_id"]?.stringValue,
            ocpiVersion: version.recorded,
            exchange: exchange
        )
        if version == .v221 {
            received.connectorId = json?["connector_id"]?.stringValue
            received.token = TokenSnapshot(token: token)
        }
        return received
    }

    /// The policy's decision, with what it needs read from the ledger and the gateway.
    private func decide(segment: String, json: JSONValue?, received: CommandReceived, version: OCPIVersion) async -> Decision {
        if version == .v221, let refusal = policy.addressee(received.exchange?.to, ours: party) { return refusal.decision }
        let request: CommandRequest
        switch policy.parse(segment: segment, json: json, version: version) {
        case .failure(let refusal): return refusal.decision
        case .success(let parsed): request = parsed
        }
        if let responseURL = received.responseUrl,
            let original = try? await store.read(CommandsProjection.firstCopy(command: received.command, responseURL: responseURL))
        {
            return policy.repeated(received, original: original)
        }
        let decision: Decision
        switch policy.subject(of: request) {
        case .answered(let answer):
            decision = answer
        case .session(let sessionId):
            let session = try? await store.state(SessionsProjection.self, sessionId)
            var route: Route?
            var charger: ChargePointsProjection.State?
            if let session {
                charger = try? await store.state(ChargePointsProjection.self, session.chargePointId)
                route = await self.route(session.chargePointId) { charger }
            }
            decision = policy.decideStop(request, session: session, route: route, ocpp: OCPPVersion(recorded: charger?.subprotocol))
        case .evse(let evse):
            // One read of the charger's state serves the route, the connector and its OCPP version.
            let charger = try? await store.state(ChargePointsProjection.self, evse.chargePointId)
            let ocpp = OCPPVersion(recorded: charger?.subprotocol)
            var remoteStartId: Int?
            if ocpp == .v201, request.type == .startSession {
                guard let next = try? await remoteStartIds.next() else {
                    return Decision(response: .serverError("the ledger could not number the remote start; nothing was accepted — retry later"))
                }
                remoteStartId = next
            }
            decision = policy.decide(
                request,
                at: evse,
                route: await route(evse.chargePointId) { charger },
                connectorFree: charger?.isFree(connector: evse.connectorId) ?? true,
                ocpp: ocpp,
                remoteStartId: remoteStartId
            )
        }
        return policy.withWarnings(request, decision)
    }

    /// `nil` when the charger is connected nowhere (or to an instance that stopped). `state` (the
    /// charger's recorded connection) is read only when the charger is not connected here.
    private func route(_ chargePointId: String, state: () async -> ChargePointsProjection.State?) async -> Route? {
        if await gateway.isConnected(chargePointId) { return .here }
        guard let state = await state(), state.connected,
            let holder = state.instance, holder != coordination.instance,
            (try? await coordination.liveInstances(now: clock.now()).contains(holder)) == true
        else { return nil }
        return .via(instance: holder)
    }

    private func record(_ received: CommandReceived, _ decision: Decision, call: OutboundCall?) async throws {
        let commandId = received.commandId
        let metadata = EventMetadata(source: "ocpi", correlationId: commandId)
        let response = decision.response
        var events = [
            try EventCoding.newEvent(received, metadata: metadata),
            try EventCoding.newEvent(
                CommandAnswered(
                    commandId: commandId,
                    httpStatus: response.httpStatus,
                    statusCode: response.statusCode,
                    result: response.data?["result"]?.stringValue,
                    statusMessage: response.statusMessage,
                    duplicateOf: decision.duplicateOf
                ),
                metadata: metadata
            ),
        ]
        for warning in decision.warnings {
            events.append(try EventCoding.newEvent(CommandWarning(commandId: commandId, warning: warning), metadata: metadata))
        }
        if let dispatch = decision.dispatch, let call {
            events.append(
                try EventCoding.newEvent(
                    CommandDispatched(
                        commandId: commandId,
                        chargePointId: dispatch.chargePointId,
                        action: call.action,
                        messageId: call.messageId,
                        connectorId: dispatch.connectorId,
                        deadline: call.deadline,
                        frame: call.text,
                        via: dispatch.via,
                        remoteStartId: dispatch.remoteStartId
                    ),
                    metadata: metadata
                )
            )
        }
        let appending = ContinuousClock.now
        _ = try await store.append(events, to: StreamID.command(commandId), expectedVersion: .noStream)
        metrics.appended(after: ContinuousClock.now - appending)
    }
}
