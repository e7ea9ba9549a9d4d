import Domain
import Foundation
import Ledger
import Logging

/// Settles a dispatched command exactly once: by the charger's answer or by its deadline,
/// whichever is recorded first. The other is still recorded — a late answer as
/// `LateChargerResponse` — but never produces a second result.
///
/// Both paths append to the command's stream at the version they read, so the race between a
/// CALLRESULT and the timeout is decided by the log's optimistic concurrency, not by timing.
public struct CommandOutcomes: Sendable {
    let store: any ProjectionStore
    let metrics: LedgerMetrics
    let logger: Logger
    /// The IOP connection: whom a 2.2.1 CommandResult is addressed to (the registration's party,
    /// else `--iop-party`).
    let link: IOPLink?

    public init(store: any ProjectionStore, metrics: LedgerMetrics = LedgerMetrics(), logger: Logger, link: IOPLink? = nil) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.link = link
    }

    /// The charger answered the CALL `messageId` of `commandId`. `false`: the ledger could not
    /// record it (the deadline will then settle the command).
    @discardableResult
    public func chargerAnswered(commandId: String, chargePointId: String, messageId: String, frame: String, result: CommandResult) async -> Bool {
        await settle(commandId) { history in
            let metadata = EventMetadata(source: "ocpp:\(chargePointId)", correlationId: commandId)
            if history.timedOut {
                guard !history.answeredLate else { return ([], nil) }
                return (
                    [
                        try EventCoding.newEvent(
                            LateChargerResponse(
                                commandId: commandId,
                                chargePointId: chargePointId,
                                messageId: messageId,
                                frame: frame,
                                result: result.rawValue
                            ),
                            metadata: metadata
                        )
                    ], nil
                )
            }
            guard !history.answered else { return ([], nil) }  // a repeated CALLRESULT: the first one counts
            return (
                [
                    try EventCoding.newEvent(
                        ChargerResponded(
                            commandId: commandId,
                            chargePointId: chargePointId,
                            messageId: messageId,
                            frame: frame,
                            result: result.rawValue
                        ),
                        metadata: metadata
                    )
                ]
                    + (try history.result(result, commandId: commandId, metadata: metadata)), result
            )
        }
    }

    /// The deadline of `commandId` passed (the timers projection said so). `false`: the ledger
    /// could not record the TIMEOUT; the timer stays open, so it is tried again.
    @discardableResult
    public func deadlinePassed(commandId: String, deadline: Timestamp) async -> Bool {
        await settle(commandId) { history in
            guard !history.answered, !history.timedOut else { return ([], nil) }
            let metadata = EventMetadata(source: "timer", correlationId: commandId)
            return (
                [try EventCoding.newEvent(CommandTimedOut(commandId: commandId, deadline: deadline), metadata: metadata)]
                    + (try history.result(.timeout, commandId: commandId, metadata: metadata)), .timeout
            )
        }
    }

    /// What the command's stream says so far.
    struct History {
        var version: Int64 = 0
        var responseURL: String?
        /// The OCPI version the command came in: its result is written in it.
        var ocpiVersion: String?
        /// The command's ids and routing (2.2.1): its result keeps the correlation id and goes
        /// from whom it addressed.
        var exchange: OCPIExchange?
        var hub = IOPEndpoint.gireveHub
        var answered = false
        var timedOut = false
        var answeredLate = false

        /// The asynchronous result for `response_url`, queued in the outbox in the same append:
        /// a 2.1.1 `CommandResponse` or a 2.2.1 `CommandResult` (V2-08, V2-09), as the command came.
        func result(_ result: CommandResult, commandId: String, metadata: EventMetadata) throws -> [NewEvent] {
            guard let responseURL else { return [] }
            let deliveryId = "result-\(commandId)"
            let v221 = ocpiVersion == OCPIVersion.v221.rawValue
            let exchange = OCPIExchange(correlationId: self.exchange?.correlationId ?? commandId, from: self.exchange?.to, to: hub)
            return [
                try EventCoding.newEvent(
                    CommandResultQueued(commandId: commandId, result: result.rawValue, deliveryId: deliveryId),
                    metadata: metadata
                ),
                try EventCoding.newEvent(
                    DeliveryScheduled(
                        deliveryId: deliveryId,
                        kind: .commandResult,
                        target: "response_url:\(commandId)",
                        method: "POST",
                        url: responseURL,
                        body: (v221 ? CommandAnswers221.result(result) : .object(["result": .string(result.rawValue)])).canonicalText,
                        commandId: commandId,
                        ocpiVersion: ocpiVersion,
                        exchange: v221 ? exchange : nil
                    ),
                    metadata: metadata
                ),
            ]
        }
    }

    /// Appends what `decide` makes of the command's history: the events, and the result they
    /// settle (counted in the metrics once they are durable). `false` when that could not be
    /// recorded; `true` also when there was nothing to record.
    private func settle(_ commandId: String, _ decide: (History) throws -> (events: [NewEvent], settles: CommandResult?)) async -> Bool {
        let stream = StreamID.command(commandId)
        for _ in 0..<8 {
            do {
                var history = History()
                for recorded in try await store.readStream(stream, fromVersion: 1, limit: .max) {
                    history.version = recorded.streamVersion
                    switch try EventCatalogue.standard.decode(recorded) {
                    case .commandReceived(let e):
                        history.responseURL = e.responseUrl
                        history.ocpiVersion = e.ocpiVersion
                        history.exchange = e.exchange
                    case .chargerResponded: history.answered = true
                    case .commandTimedOut: history.timedOut = true
                    case .lateChargerResponse: history.answeredLate = true
                    default: break
                    }
                }
                guard history.version > 0 else {
                    logger.warning("answer or deadline for unknown command \(commandId) ignored")
                    return true
                }
                if history.ocpiVersion == OCPIVersion.v221.rawValue, let hub = try await link?.endpoint()?.hub { history.hub = hub }
                let (events, settles) = try decide(history)
                guard !events.isEmpty else { return true }
                _ = try await store.append(events, to: stream, expectedVersion: .exact(history.version))
                if let settles { metrics.commandSettled(result: settles.rawValue) }
                return true
            } catch EventStoreError.wrongExpectedVersion {
                continue  // the other path got there first: read again and decide again
            } catch {
                logger.error("could not settle command \(commandId): \(error)")
                return false
            }
        }
        logger.error("could not settle command \(commandId): its stream kept changing")
        return false
    }
}
