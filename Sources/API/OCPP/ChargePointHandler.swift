import Domain
import Foundation
import Ledger
import Logging
import Projections
import Synchronization

/// One charger's OCPP conversation, in the version its connection agreed on (1.6J here, 2.0.1 in
/// `OCPP201/StationMessages.swift`): answers its CALLs, records what matters, and hands the
/// answers to our CALLs to `CommandOutcomes`. Never throws on bad input: a malformed frame gets
/// the CALLERROR OCPP-J prescribes and is recorded, and the connection stays up.
public struct ChargePointHandler: Sendable {
    let chargePointId: String
    let connectionId = UUID()
    /// The version agreed on at the WebSocket upgrade, and every subprotocol the charger offered.
    let ocpp: OCPPVersion
    let offered: [String]
    /// An OCPP 2.0.1 station's registration: until a BootNotification of it has been accepted
    /// (on this connection or an earlier one), it may send nothing else (B01.FR.08, B02.FR.09).
    let registration = StationRegistration()
    /// The `ledger serve` instance this connection is held by (`InstanceCoordination.instance`).
    let instance: String
    let centralSystem: CentralSystem
    let store: any ProjectionStore
    let outcomes: CommandOutcomes
    let transactions: TransactionService
    let clock: any LedgerClock
    let logger: Logger

    public init(
        chargePointId: String,
        instance: String,
        centralSystem: CentralSystem,
        store: any ProjectionStore,
        outcomes: CommandOutcomes,
        transactions: TransactionService,
        clock: any LedgerClock,
        logger: Logger,
        ocpp: OCPPVersion = .v16,
        offered: [String] = [OCPPVersion.v16.subprotocol]
    ) {
        self.chargePointId = chargePointId
        self.ocpp = ocpp
        self.offered = offered
        self.instance = instance
        self.centralSystem = centralSystem
        self.store = store
        self.outcomes = outcomes
        self.transactions = transactions
        self.clock = clock
        var logger = logger
        logger[metadataKey: "charge_point_id"] = .string(chargePointId)
        self.logger = logger
    }

    private var source: String { "ocpp:\(chargePointId)" }

    /// Registers the connection (closing one it replaces) and records it. `false`: it could not
    /// be recorded (a full disk), and the caller closes the socket — the charger reconnects later,
    /// when the ledger can write again, rather than stay connected to a ledger that does not know it.
    public func connected(sink: any FrameSink) async -> Bool {
        if let replaced = await centralSystem.connect(chargePointId, id: connectionId, sink: sink) {
            await replaced.sink.close(reason: "replaced by a new connection")
            await record(
                ChargePointDisconnected(chargePointId: chargePointId, reason: "replaced by a new connection", connection: replaced.id.uuidString)
            )
        }
        // A 1.6 connection is recorded as it always was; a 2.0.1 one names its subprotocol.
        let connected = ChargePointConnected(
            chargePointId: chargePointId,
            connection: connectionId.uuidString,
            instance: instance,
            subprotocol: ocpp == .v16 ? nil : ocpp.subprotocol,
            offered: offered.count > 1 ? Array(offered.prefix(8)) : nil
        )
        guard await record(connected) else { return false }
        if ocpp == .v201 {
            // The station's registration outlives its connections: it need not boot again (Part 4 §5.3).
            do {
                if try await store.state(ChargePointsProjection.self, chargePointId)?.vendor != nil { registration.accept() }
            } catch {
                logger.error("registration of \(chargePointId) not read: \(error)")
                return false
            }
        }
        logger.info("connected (\(ocpp.subprotocol))")
        return true
    }

    public func disconnected(reason: String) async {
        guard await centralSystem.disconnect(chargePointId, id: connectionId) else { return }
        await record(ChargePointDisconnected(chargePointId: chargePointId, reason: reason, connection: connectionId.uuidString))
        logger.info("disconnected: \(LogText.escaped(reason))")
    }

    /// Handles one text frame; returns the frame to send back, if any.
    public func handle(_ text: String) async -> String? {
        let frame: OCPPFrame
        do {
            frame = try OCPPFrame(parsing: text, version: ocpp)
        } catch {
            await record(OcppFrameRejected(chargePointId: chargePointId, frame: text, errorCode: error.code, description: error.description))
            return error.reply.text
        }
        switch frame {
        case let .call(messageId, action, payload):
            let answer =
                ocpp == .v201
                ? await answer201(call: action, payload: payload, messageId: messageId, frame: text)
                : await answer(call: action, payload: payload, messageId: messageId, frame: text)
            return answer.text
        case let .callResult(messageId, payload):
            let status = payload["status"]?.stringValue
            await settle(messageId: messageId, frame: text) { action in
                ocpp == .v201 ? OCPI211OCPP201.result(of: action, status: status) : OCPI211OCPP16.result(of: action, status: status)
            }
            return nil
        case let .callError(messageId, code, _, _):
            await settle(messageId: messageId, frame: text) { _ in OCPI211OCPP16.result(ofCallError: code) }
            return nil
        }
    }

    private func settle(messageId: String, frame: String, result: (String) -> CommandResult) async {
        guard let call = await centralSystem.answered(messageId, by: chargePointId) else {
            logger.warning("answer to unknown message \(LogText.escaped(messageId)) ignored: \(LogText.escaped(frame))")
            return
        }
        await outcomes.chargerAnswered(
            commandId: call.commandId,
            chargePointId: chargePointId,
            messageId: messageId,
            frame: frame,
            result: result(call.action)
        )
    }

    private func answer(call action: String, payload: JSONValue, messageId: String, frame: String) async -> OCPPFrame {
        do { try OCPP16Schema.check(action, payload, messageId: messageId) } catch {
            return await reject(frame, messageId, error.code, error.description)
        }
        let now = JSONValue.string(clock.now().ocpiDateTime)
        switch action {
        case "BootNotification":
            guard let vendor = payload["chargePointVendor"]?.stringValue, let model = payload["chargePointModel"]?.stringValue else {
                return await reject(frame, messageId, "FormationViolation", "chargePointVendor and chargePointModel are required")
            }
            guard
                await record(
                    BootNotified(
                        chargePointId: chargePointId,
                        vendor: vendor,
                        model: model,
                        firmwareVersion: payload["firmwareVersion"]?.stringValue
                    )
                )
            else { return .notRecorded(messageId) }
            return .bootAccepted(messageId, at: now)
        case "Heartbeat":
            return .callResult(messageId: messageId, payload: .object(["currentTime": now]))
        case "StatusNotification":
            guard let connector = payload["connectorId"]?.int64Value, let status = payload["status"]?.stringValue else {
                return await reject(frame, messageId, "FormationViolation", "connectorId and status are required")
            }
            // The statuses that start or end a session's parking time name the session they belong to.
            let session: String?
            do {
                session =
                    SessionsProjection.State.parkingStatuses.contains(status)
                    ? try await transactions.openSessionId(chargePointId, connectorId: Int(connector)) : nil
            } catch {
                return .notRecorded(messageId)
            }
            let change = ConnectorStatusChanged(
                chargePointId: chargePointId,
                connectorId: Int(connector),
                status: status,
                errorCode: payload["errorCode"]?.stringValue,
                timestamp: payload["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
                sessionId: session
            )
            guard await recordStatus(change) else { return .notRecorded(messageId) }
            return .callResult(messageId: messageId, payload: .object([:]))
        case "Authorize", "StartTransaction", "MeterValues", "StopTransaction":
            return await answered(action, messageId: messageId, frame: frame) {
                switch action {
                case "Authorize": try await transactions.authorize(chargePointId, payload, frame: frame)
                case "StartTransaction": try await transactions.start(chargePointId, payload, messageId: messageId, frame: frame)
                case "MeterValues": try await transactions.meterValues(chargePointId, payload, frame: frame)
                default: try await transactions.stop(chargePointId, payload, messageId: messageId, frame: frame)
                }
            }
        default:
            return await reject(frame, messageId, "NotImplemented", "\(action) is not implemented by this central system")
        }
    }

    /// The answer to a CALL whose effect `record` records: its CALLRESULT; the CALLERROR for a
    /// payload it finds malformed; `InternalError` when the ledger could not take it (the charger
    /// resends transaction messages that got no answer: nothing is lost yet).
    func answered(_ action: String, messageId: String, frame: String, _ record: () async throws -> JSONValue) async -> OCPPFrame {
        do {
            return .callResult(messageId: messageId, payload: try await record())
        } catch let malformed as OCPPFrame.Malformed {
            return await reject(frame, messageId, malformed.code, malformed.description)
        } catch {
            logger.error("\(action) not recorded: \(error)")
            return .notRecorded(messageId)
        }
    }

    func reject(_ frame: String, _ messageId: String, _ code: String, _ description: String) async -> OCPPFrame {
        await record(OcppFrameRejected(chargePointId: chargePointId, frame: frame, errorCode: code, description: description))
        return .callError(messageId: messageId, code: code, description: description, details: .object([:]))
    }

    /// Appends to the charge point's stream; `false` (logged) when the ledger could not take it.
    @discardableResult
    func record(_ payload: some DomainEventPayload) async -> Bool {
        do {
            let event = try EventCoding.newEvent(payload, metadata: EventMetadata(source: source))
            _ = try await store.append([event], to: StreamID.chargePoint(chargePointId), expectedVersion: .any)
            return true
        } catch {
            logger.error("could not record \(type(of: payload).eventType): \(error)")
            return false
        }
    }

    /// A connector status, and in the same append the EVSE statuses it changes and their PATCHes.
    func recordStatus(_ change: ConnectorStatusChanged) async -> Bool {
        do {
            let known = try await store.state(ChargePointsProjection.self, chargePointId)?.connectors ?? [:]
            let publisher = EvseStatusPublisher(store: store, locations: transactions.locations, iop: transactions.iop)
            let statuses = try await publisher.events(
                chargePointId: chargePointId,
                publisher.statusNotification(change, known: known),
                at: clock.now()
            )
            let event = try EventCoding.newEvent(change, metadata: EventMetadata(source: source))
            _ = try await store.append([event] + statuses, to: StreamID.chargePoint(chargePointId), expectedVersion: .any)
            return true
        } catch {
            logger.error("could not record \(ConnectorStatusChanged.eventType): \(error)")
            return false
        }
    }
}

/// Whether an OCPP 2.0.1 station's BootNotification has been accepted: shared by the tasks of one
/// connection, set once.
final class StationRegistration: Sendable {
    private let accepted = Mutex(false)
    var isAccepted: Bool { accepted.withLock { $0 } }
    func accept() { accepted.withLock { $0 = true } }
}

extension OCPPFrame {
    /// The answer to an accepted BootNotification, the same in both versions: the time, and a
    /// heartbeat every five minutes.
    static func bootAccepted(_ messageId: String, at now: JSONValue) -> OCPPFrame {
        .callResult(messageId: messageId, payload: .object(["status": .string("Accepted"), "currentTime": now, "interval": .number("300")]))
    }

    /// The answer to a CALL whose effect could not be recorded: nothing was acknowledged, and an
    /// OCPP 1.6 charger retries (transaction messages) or sends the next status anyway.
    static func notRecorded(_ messageId: String) -> OCPPFrame {
        .callError(messageId: messageId, code: "InternalError", description: "could not be recorded; retry", details: .object([:]))
    }
}
