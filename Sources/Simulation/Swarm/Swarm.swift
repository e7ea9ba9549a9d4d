import API
import Foundation
import Ledger
import NIOCore
import NIOPosix

/// N chargers over real WebSockets, driven in phases the benchmark times one by one: all connect
/// and boot at once, all start a transaction at once, send meter values spread evenly over an
/// interval, and all stop at once. Chargers are numbered 0..<N; charger `i` is `chargerId(i)`,
/// talks to `endpoints[i % endpoints.count]` and is an OCPP 2.0.1 station when `i` is a multiple
/// of `v201Every` (0: none).
public actor Swarm {
    public struct Endpoint: Sendable {
        public let host: String
        public let port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public let endpoints: [Endpoint]
    public let count: Int
    public let v201Every: Int
    /// What the chargers answer the central system's CALLs, by action (`SwarmConnection.connect`).
    public let answers: [String: String]
    private let group: any EventLoopGroup
    private var connections: [SwarmConnection?]
    private var transactionIds: [String?]

    public init(endpoints: [Endpoint], count: Int, v201Every: Int, group: any EventLoopGroup, answers: [String: String] = [:]) {
        self.endpoints = endpoints
        self.count = count
        self.v201Every = v201Every
        self.answers = answers
        self.group = group
        self.connections = Array(repeating: nil, count: count)
        self.transactionIds = Array(repeating: nil, count: count)
    }

    /// The name charger `index` has in the locations file the benchmark writes.
    public static func chargerId(_ index: Int) -> String { String(format: "SW-%05d", index) }

    public func messages(_ index: Int) -> SwarmMessages {
        SwarmMessages(version: v201Every > 0 && index % v201Every == 0 ? .v201 : .v16, index: index)
    }

    /// Every charger connects, boots and reports its connector Available, all at once.
    /// `lastDone` is when the last BootNotification was answered.
    public func connectAndBoot() async -> SwarmPhase {
        let messages = (0..<count).map(messages)
        let endpoints = self.endpoints
        let group = self.group
        let answers = self.answers
        let phase = await run("connect + boot + status", indices: Array(0..<count)) { index, outcome in
            let endpoint = endpoints[index % endpoints.count]
            let message = messages[index]
            let started = ContinuousClock.now
            let connection = try await SwarmConnection.connect(
                host: endpoint.host,
                port: endpoint.port,
                path: "/ocpp/\(Swarm.chargerId(index))",
                subprotocol: message.version.subprotocol,
                group: group,
                answers: answers
            )
            outcome.connection = connection
            outcome.record("WebSocket upgrade", started.duration(to: .now))
            let boot = try await connection.call(message.action(.boot), payload: message.boot)
            outcome.record(message.action(.boot), boot)
            guard boot.payload.contains(#""Accepted""#) else { throw SimulationError("BootNotification not accepted: \(boot.payload)") }
            outcome.done = .now
            outcome.record(message.action(.status), try await connection.call(message.action(.status), payload: message.status(at: Self.now)))
        }
        return phase
    }

    /// Forgets every connection (the server they were open to has gone).
    public func dropConnections() async {
        let open = connections.compactMap { $0 }
        connections = Array(repeating: nil, count: count)
        await withTaskGroup(of: Void.self) { group in
            for connection in open { group.addTask { await connection.close() } }
        }
    }

    /// Every connected charger starts a transaction at once.
    public func startTransactions() async -> SwarmPhase {
        await each("StartTransaction storm") { index, connection, message, outcome in
            let answer = try await connection.call(message.action(.start), payload: message.start(at: Self.now))
            outcome.record(message.action(.start), answer)
            outcome.transactionId = try message.transactionId(fromStartAnswer: answer.payload)
        }
    }

    /// Each charger with a transaction sends `rounds` meter values, one every `interval`, the
    /// chargers' sends spread evenly over the interval (a steady rate of count/interval).
    public func meterValues(rounds: Int, interval: Duration) async -> SwarmPhase {
        let count = self.count
        let transactionIds = self.transactionIds
        let origin = ContinuousClock.now
        return await each("steady MeterValues") { index, connection, message, outcome in
            guard let transactionId = transactionIds[index] else { return }
            for round in 1...max(rounds, 1) {
                let due = origin + interval * (Double(index) / Double(count)) + interval * (round - 1)
                try await Task.sleep(until: due, clock: .continuous)
                let answer = try await connection.call(
                    message.action(.meter),
                    payload: message.meter(transactionId: transactionId, round: round, at: Self.now)
                )
                outcome.record(message.action(.meter), answer)
            }
        }
    }

    /// Every charger with a transaction stops it at once.
    public func stopTransactions(rounds: Int) async -> SwarmPhase {
        let transactionIds = self.transactionIds
        return await each("StopTransaction storm") { index, connection, message, outcome in
            guard let transactionId = transactionIds[index] else { return }
            let answer = try await connection.call(
                message.action(.stop),
                payload: message.stop(transactionId: transactionId, rounds: rounds, at: Self.now)
            )
            outcome.record(message.action(.stop), answer)
            outcome.done = .now
        }
    }

    // MARK: - Running a phase

    /// What one charger did in a phase.
    struct Outcome: Sendable {
        var samples: [(String, Int64)] = []
        var done: ContinuousClock.Instant?
        var connection: SwarmConnection?
        var transactionId: String?

        mutating func record(_ action: String, _ answer: SwarmConnection.Answer) { samples.append((action, answer.nanoseconds)) }
        mutating func record(_ action: String, _ duration: Duration) {
            samples.append((action, duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000))
        }
    }

    private func each(
        _ name: String,
        _ body: @escaping @Sendable (Int, SwarmConnection, SwarmMessages, inout Outcome) async throws -> Void
    ) async -> SwarmPhase {
        let open = connections
        let messages = (0..<count).map(messages)
        return await run(name, indices: open.indices.filter { open[$0] != nil }) { index, outcome in
            try await body(index, open[index]!, messages[index], &outcome)
        }
    }

    private func run(
        _ name: String,
        indices: [Int],
        _ body: @escaping @Sendable (Int, inout Outcome) async throws -> Void
    ) async -> SwarmPhase {
        let started = ContinuousClock.now
        var phase = SwarmPhase(name: name, chargers: indices.count)
        await withTaskGroup(of: (Int, Outcome, String?).self) { group in
            for index in indices {
                group.addTask {
                    var outcome = Outcome()
                    do { try await body(index, &outcome) } catch { return (index, outcome, "\(Swarm.chargerId(index)): \(error)") }
                    return (index, outcome, nil)
                }
            }
            for await (index, outcome, error) in group {
                for (action, nanoseconds) in outcome.samples { phase.latencies[action, default: []].append(nanoseconds) }
                if let connection = outcome.connection { connections[index] = connection }
                if let transactionId = outcome.transactionId { transactionIds[index] = transactionId }
                if let done = outcome.done { phase.lastDone = max(phase.lastDone ?? .zero, started.duration(to: done)) }
                if let error { phase.fail(error) }
            }
        }
        phase.seconds = started.duration(to: .now)
        return phase
    }

    /// The chargers' clock, as OCPP wants it.
    static var now: String { Timestamp(Date()).ocpiDateTime }
}

/// One phase's figures: per action the answer latencies, when the last charger was done, errors.
public struct SwarmPhase: Sendable {
    public let name: String
    public let chargers: Int
    public var seconds: Duration = .zero
    public var lastDone: Duration?
    public var latencies: [String: [Int64]] = [:]
    public var errors = 0
    public var firstErrors: [String] = []

    mutating func fail(_ error: String) {
        errors += 1
        if firstErrors.count < 5 { firstErrors.append(error) }
    }
}
