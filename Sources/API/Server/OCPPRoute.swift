import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Ledger
import Logging
import NIOWebSocket

/// `GET /ocpp/{charge_point_id}`: the OCPP WebSocket for chargers named in the locations file
/// only, each with its Basic password when it has one (security profile 1, `ChargerPassword`).
/// One endpoint for both versions: the subprotocol agreed on (`ocpp2.0.1` or `ocpp1.6`) picks the
/// connection's messages; a charger offering both gets the one its locations entry names, else
/// the newest (`OCPPVersion.agreed`).
struct OCPPRoute {
    let instance: String
    let centralSystem: CentralSystem
    let store: any ProjectionStore
    let outcomes: CommandOutcomes
    let transactions: TransactionService
    let locations: LocationRegistry
    let clock: any LedgerClock
    let logger: Logger

    /// OCPP-J frames are small; a bigger one is a misbehaving peer.
    static let maximumMessage = 64 * 1024

    /// Charger messages handled at once, across all connections (`ConcurrencyLimit`): as many as
    /// the writer commits in one transaction.
    static let messagesAtOnce = 1_024
    let inHandling = ConcurrencyLimit(Self.messagesAtOnce)

    func register(on router: Router<LedgerRequestContext>) {
        router.ws("ocpp/:id") { request, context in
            guard let id = context.parameters.get("id"), locations.chargePointIds.contains(id) else {
                context.logger.notice("OCPP connection refused: charge point not in the locations file")
                return .dontUpgrade
            }
            if let expected = locations.passwordHash(chargePointId: id),
                !ChargerPassword.accepts(request.headers[.authorization], chargePointId: id, expectedHash: expected)
            {
                context.logger.notice("OCPP connection of \(id) refused: missing or wrong Basic password (security profile 1)")
                let channel = context.channel
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.handler(type: FrontDoor.self).refuseUpgradeAsUnauthorized()
                }.get()
                return .dontUpgrade
            }
            let offered = Self.offered(request)
            guard let agreed = OCPPVersion.agreed(offered: offered, named: locations.ocppVersion(chargePointId: id)) else {
                context.logger.notice(
                    "OCPP connection refused: none of \(OCPPVersion.allCases.map(\.subprotocol)) offered (\(LogText.escaped(offered.joined(separator: ","))))"
                )
                return .dontUpgrade
            }
            return .upgrade([.secWebSocketProtocol: agreed.subprotocol])
        } onUpgrade: { inbound, outbound, context in
            guard let id = context.requestContext.parameters.get("id") else { return }
            let offered = Self.offered(context.request)
            let agreed = OCPPVersion.agreed(offered: offered, named: locations.ocppVersion(chargePointId: id)) ?? .v16
            let handler = ChargePointHandler(
                chargePointId: id,
                instance: instance,
                centralSystem: centralSystem,
                store: store,
                outcomes: outcomes,
                transactions: transactions,
                clock: clock,
                logger: logger,
                ocpp: agreed,
                offered: offered
            )
            guard await inHandling.run({ await handler.connected(sink: WebSocketSink(writer: outbound)) }) else {
                try? await outbound.close(.unexpectedServerError, reason: "the ledger cannot record this connection now; reconnect later")
                await handler.disconnected(reason: "its connection could not be recorded")
                return
            }
            let reason = await ChargerInbox.serve(inbound, outbound, maxSize: Self.maximumMessage) { text in
                await inHandling.run { await handler.handle(text) }
            }
            await inHandling.run { await handler.disconnected(reason: reason) }
        }
    }
}

extension OCPPRoute {
    /// The subprotocols a charger offers (`Sec-WebSocket-Protocol`), in its order.
    static func offered(_ request: Request) -> [String] {
        request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// A WebSocket's outbound side as a `FrameSink`.
struct WebSocketSink: FrameSink {
    let writer: WebSocketOutboundWriter

    func send(_ text: String) async throws {
        try await writer.write(.text(text))
    }

    func close(reason: String) async {
        try? await writer.close(.goingAway, reason: reason)
    }
}
