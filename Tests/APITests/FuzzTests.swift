import API
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Ledger
import LedgerTesting
import Logging
import NIOWebSocket
import Testing

/// Hostile input, generated from a seed, through the real server: every OCPI body gets an
/// envelope (never a 500, never a crash), every OCPP frame a proper answer or none, the
/// connection stays up, and what was recorded still verifies and replays.
/// A bounded run here; `CHARGELEDGER_FUZZ_ITERATIONS=20000 swift test --filter FuzzTests` by hand.
@Suite("Fuzzing", .serialized)
struct FuzzTests {
    @Test("mutated START_SESSION bodies always get an OCPI envelope, and each authenticated one is recorded", arguments: [UInt64(1), 2])
    func ocpiBodies(seed: UInt64) async throws {
        var input = FuzzInput(seed: seed)
        let valid = try Requests.vector("G-01")
        let validObject = try JSONValue(parsing: valid)
        try await ServerHarness.with { server in
            var recorded = 0
            for iteration in 0..<FuzzInput.iterations {
                let body: String =
                    switch iteration % 3 {
                    case 0: String(decoding: input.mutate(valid), as: UTF8.self)
                    case 1: input.mutate(object: validObject).canonicalText
                    default: input.json(depth: 4).canonicalText
                    }
                let command = input.pick(["START_SESSION", "STOP_SESSION", "START_SESSION", "RESERVE_NOW", "%00", "start_session"])
                let answer = try await server.command(command, body)
                let context = "seed \(seed) iteration \(iteration): \(command) \(body.prefix(200))"
                #expect([200, 400, 413].contains(answer.httpStatus), "\(context) → HTTP \(answer.httpStatus)")
                // A body over the limit is refused unread, so it is not recorded (it would be the
                // thing the limit keeps out of the ledger); every other one is.
                if answer.httpStatus != 413 { recorded += 1 }
                guard let envelope = answer.envelope, let code = envelope["status_code"]?.int64Value else {
                    Issue.record("no OCPI envelope: \(context)")
                    continue
                }
                #expect([1000, 2000, 2001, 2003].contains(code), "\(context) → \(code)")
                #expect(envelope["timestamp"]?.stringValue != nil)
            }
            // Every request passed authentication, so every one read is in the ledger, with its answer.
            #expect(try await server.events("CommandReceived").count == recorded)
            #expect(try await server.events("CommandAnswered").count == recorded)
        }
    }

    @Test("garbage OCPP frames get a CALLERROR or nothing, never a broken connection", arguments: [UInt64(7), 8])
    func ocppFrames(seed: UInt64) async throws {
        var input = FuzzInput(seed: seed)
        // Under the 64 KiB message limit: a larger message ends the connection (its own test).
        let frames: [String] = (0..<FuzzInput.iterations).map { iteration in
            let frame =
                switch iteration % 4 {
                case 0:
                    String(
                        decoding: input.mutate(#"[2,"m1","StatusNotification",{"connectorId":1,"status":"Available","errorCode":"NoError"}]"#),
                        as: UTF8.self
                    )
                case 1: JSONValue.array([input.json(depth: 1), input.json(depth: 1), input.json(depth: 2), input.json(depth: 2)]).canonicalText
                case 2:
                    String(
                        decoding: input.mutate(
                            #"[2,"m2","StartTransaction",{"connectorId":1,"idTag":"04A1B2C3D4E5F6","meterStart":0,"timestamp":"2024-03-12T09:58:00Z"}]"#
                        ),
                        as: UTF8.self
                    )
                default: input.json(depth: 3).canonicalText
                }
            return String(decoding: frame.utf8.prefix(60_000), as: UTF8.self)
        }
        try await ServerHarness.with { server in
            var logger = Logger(label: "fuzz")
            logger.logLevel = .critical
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(server.port)/ocpp/\(CommandPathTests.chargePoint)",
                configuration: .init(additionalHeaders: [.secWebSocketProtocol: "ocpp1.6"]),
                logger: logger
            ) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                for (index, frame) in frames.enumerated() {
                    try await outbound.write(.text(frame))
                    // A heartbeat after each frame: whatever comes before its answer answers the frame.
                    let probe = "probe-\(index)"
                    try await outbound.write(.text(#"[2,"\#(probe)","Heartbeat",{}]"#))
                    var replies: [OCPPFrame] = []
                    while let message = try await messages.next() {
                        guard case .text(let text) = message else { continue }
                        let reply = try #require(try? OCPPFrame(parsing: text), "seed \(seed) #\(index): the server sent a malformed frame \(text)")
                        if case .callResult(probe, _) = reply { break }
                        replies.append(reply)
                    }
                    #expect(replies.count <= 1, "seed \(seed) #\(index) \(frame.prefix(200)): \(replies)")
                    for reply in replies {
                        switch reply {
                        case .callError, .callResult: break
                        case .call: Issue.record("seed \(seed) #\(index): the server sent a CALL in answer to \(frame.prefix(200))")
                        }
                    }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            // The connection survived every frame; the rejections are on record.
            #expect(try await server.events("OcppFrameRejected").count > 0)
        }
    }

    @Test("a message over 64 KiB ends the connection, and the disconnection is recorded")
    func oversizedMessage() async throws {
        try await ServerHarness.with { server in
            var logger = Logger(label: "fuzz")
            logger.logLevel = .critical
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(server.port)/ocpp/\(CommandPathTests.chargePoint)",
                configuration: .init(additionalHeaders: [.secWebSocketProtocol: "ocpp1.6"]),
                logger: logger
            ) { inbound, outbound, _ in
                try await outbound.write(.text(#"[2,"big","DataTransfer",{"vendorId":"\#(String(repeating: "x", count: 70_000))"}]"#))
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                while let _ = try? await messages.next() {}  // until the server closes it
            }
            let gone = try await server.waitForEvent("ChargePointDisconnected")
            #expect(gone.data.value["charge_point_id"]?.stringValue == CommandPathTests.chargePoint)
        }
    }

    @Test("the parsers take any text without crashing: a frame or a Malformed, a value or a syntax error")
    func parsers() async {
        var input = FuzzInput(seed: 42)
        for iteration in 0..<(FuzzInput.iterations * 5) {
            // CPU-bound: give the two cooperative threads back now and then, or servers of tests
            // running alongside stall (a WebSocket handshake timed out that way).
            if iteration % 20 == 0 { await Task.yield() }
            let text = String(decoding: input.mutate(input.json(depth: 4).canonicalText), as: UTF8.self)
            _ = try? OCPPFrame(parsing: text)
            _ = try? JSONValue(parsing: text)
            _ = try? CanonicalDecoder.decode([String: JSONValueBox].self, from: text)
        }
    }
}

/// Any JSON, decoded through the ledger's decoder (exercises every container kind).
private enum JSONValueBox: Decodable {
    case value(String?)
    case list([JSONValueBox])
    case map([String: JSONValueBox])

    init(from decoder: any Decoder) throws {
        if let map = try? decoder.container(keyedBy: AnyKey.self) {
            self = .map(
                Dictionary(
                    try map.allKeys.map { ($0.stringValue, try map.decode(JSONValueBox.self, forKey: $0)) },
                    uniquingKeysWith: { _, last in last }
                )
            )
        } else if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValueBox] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValueBox.self)) }
            self = .list(items)
        } else {
            let single = try decoder.singleValueContainer()
            self = .value(single.decodeNil() ? nil : (try? single.decode(String.self)) ?? (try? single.decode(Double.self)).map { "\($0)" })
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
