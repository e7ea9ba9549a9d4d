import CoreMetrics
import Domain
import Ledger
import Projections
import Prometheus
import Synchronization

/// The service's metrics, in Prometheus text format for `GET /metrics`.
///
/// What happens in this process (commands answered and their latency, appends, results) is
/// counted through swift-metrics into a Prometheus registry owned by the server — not the
/// process-wide `MetricsSystem`, which can be bootstrapped only once while tests run many servers
/// in one process. What the ledger holds (connected chargers, the outbox, commands by status, the
/// log's length) is read from it at each scrape, so those figures are right after a restart too.
public final class LedgerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// The `ledger_commands` label sets set at the last scrape: one that disappears is set to 0.
    private let commandStatuses = Mutex<Set<[String]>>([])

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000].map {
            Duration.microseconds(Int64($0 * 1000))
        }
        self.factory = factory
    }

    /// An OCPI command answered synchronously: `answer` is its result (ACCEPTED, REJECTED, …) or
    /// the OCPI status code of an error envelope (2001, 2003, 3000).
    func commandAnswered(_ command: String, answer: String, after duration: Duration) {
        CoreMetrics.Counter(label: "ledger_commands_answered_total", dimensions: [("command", command), ("answer", answer)], factory: factory)
            .increment()
        CoreMetrics.Timer(label: "ledger_command_answer_seconds", dimensions: [("command", command)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// A command's asynchronous result was settled (by the charger's answer or its deadline).
    func commandSettled(result: String) {
        CoreMetrics.Counter(label: "ledger_command_results_total", dimensions: [("result", result)], factory: factory).increment()
        if result == CommandResult.timeout.rawValue {
            CoreMetrics.Counter(label: "ledger_command_timeouts_total", factory: factory).increment()
        }
    }

    /// One durable append on the command path (the wait for group commit included).
    func appended(after duration: Duration) {
        CoreMetrics.Timer(label: "ledger_append_seconds", factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// The text for one scrape.
    func exposition(store: any ProjectionStore, now: Timestamp) async throws -> String {
        let state = try await store.withProjectionSnapshot { database in try LedgerState(database, now: now) }
        gauge("events", unit: "", "Events in the log (its last position).").set(to: Double(state.lastPosition))
        gauge("chargers_connected", unit: "", "Charge points with an open OCPP connection.").set(to: Double(state.connectedChargers))
        gauge("outbox_depth", unit: "", "Deliveries waiting to be sent.").set(to: Double(state.pendingDeliveries))
        gauge("outbox_oldest_pending", unit: "seconds", "Age of the oldest delivery waiting to be sent (0 when none).")
            .set(to: state.oldestPendingSeconds)
        gauge("deliveries_parked", unit: "", "Deliveries given up on until an operator acts.").set(to: Double(state.parkedDeliveries))
        // Every lane kind and status, zero included: a series that vanishes when its lane empties would read as "no data".
        for lane in ["command_result", "session", "tariff", "location", "evse_status"] {
            for status in [DeliveryStatus.pending, .parked] {
                gauge(
                    "outbox",
                    unit: "",
                    "Deliveries waiting (pending) or given up on (parked), by lane kind.",
                    labels: [("lane", lane), ("status", status.rawValue)]
                )
                .set(to: Double(state.outboxByLane[[lane, status.rawValue]] ?? 0))
            }
        }
        let current = Set(state.commandsByStatus.keys)
        let gone = commandStatuses.withLock { previous in
            defer { previous = current }
            return previous.subtracting(current)
        }
        for labels in current.union(gone) {
            gauge(
                "commands",
                unit: "",
                "OCPI commands by where they stand (received, answered, dispatched, the charger's result, TIMEOUT).",
                labels: [("command", labels[0]), ("status", labels[1])]
            )
            .set(to: Double(state.commandsByStatus[labels] ?? 0))
        }
        return registry.emitToString()
    }

    private func gauge(_ name: String, unit: String, _ help: String, labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "ledger", metricName: name, unitName: unit, helpText: help), labels: labels)
    }
}

/// The figures a scrape reads from the ledger, in one snapshot.
private struct LedgerState {
    var lastPosition: Int64 = 0
    var connectedChargers: Int64 = 0
    var pendingDeliveries: Int64 = 0
    var parkedDeliveries: Int64 = 0
    var oldestPendingSeconds: Double = 0
    var commandsByStatus: [[String]: Int64] = [:]
    /// [lane kind, status] → deliveries (`DeliveriesProjection.outboxByLane`).
    var outboxByLane: [[String]: Int64] = [:]

    init(_ database: any ProjectionReading, now: Timestamp) throws {
        lastPosition = try database.fetch(LogQueries.head)
        connectedChargers = try database.fetch(ChargePointsProjection.connectedCount)
        pendingDeliveries = try database.fetch(DeliveriesProjection.count(.pending))
        parkedDeliveries = try database.fetch(DeliveriesProjection.count(.parked))
        if let oldest = try database.fetch(DeliveriesProjection.oldestPending)?.scheduledAt {
            oldestPendingSeconds = max(0, Double(now.millisecondsSinceEpoch - oldest.millisecondsSinceEpoch) / 1000)
        }
        for counted in try database.fetch(DeliveriesProjection.outboxByLane) { outboxByLane[[counted.lane, counted.status]] = counted.count }
        for counted in try database.fetch(CommandsProjection.countsByStatus) {
            // Labels from closed sets only: the command is the caller's path segment, and /metrics is public.
            commandsByStatus[[CommandType(rawValue: counted.command)?.rawValue ?? "unknown", counted.status], default: 0] += counted.count
        }
    }
}
