import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The baseline of `ledger-bench chargers --against ceiling`: the same Hummingbird WebSocket
/// stack as `ledger serve` (frame limit, auto-ping, backlog) answering every CALL with a constant
/// CALLRESULT, recording nothing. What a charger costs the framework alone, in CPU and memory,
/// measured in the same run as the ledger. Started by the benchmark as a child process.
struct OCPPCeilingServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocpp-ceiling",
        abstract: "A constant-answer OCPP WebSocket server: the chargers benchmark's baseline (started by it).",
        shouldDisplay: false
    )

    @Option var port = 0

    func run() async throws {
        var logger = Logger(label: "ceiling")
        logger.logLevel = .error
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("ocpp/:id") { request, _ in
            let offered = request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
            return .upgrade([.secWebSocketProtocol: offered.contains { $0.contains("2.0.1") } ? "ocpp2.0.1" : "ocpp1.6"])
        } onUpgrade: { inbound, outbound, _ in
            var transactions = 0
            for try await message in inbound.messages(maxSize: 64 * 1024) {
                guard case .text(let text) = message else { continue }
                let parts = text.split(separator: ",", maxSplits: 3)
                guard parts.count == 4, parts[0] == "[2" else { continue }
                let answer: String
                switch parts[2] {
                case #""BootNotification""#:
                    answer = #"{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}"#
                case #""StartTransaction""#:
                    transactions += 1
                    answer = #"{"transactionId":\#(transactions),"idTagInfo":{"status":"Accepted"}}"#
                default:
                    answer = "{}"
                }
                try await outbound.write(.text("[3,\(parts[1]),\(answer)]"))
            }
        }
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(
                    http1: .init(idleTimeout: .seconds(60)),
                    ws: .init(maxFrameSize: 64 * 1024, autoPing: .enabled(timePeriod: .seconds(60)))
                )
            ),
            configuration: .init(address: .hostname("127.0.0.1", port: port), backlog: 4096),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(
                    Data("ledger serving on http://127.0.0.1:\(channel.localAddress?.port ?? 0) (constant answers)\n".utf8)
                )
            },
            logger: logger
        )
        try await app.runService()
    }
}
