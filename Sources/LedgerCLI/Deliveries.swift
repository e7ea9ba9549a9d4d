import API
import ArgumentParser
import Domain
import Foundation
import Ledger
import Projections

/// The outbox from the command line, on a running or a stopped ledger: an operator can always
/// clear a delivery that cannot go out — even one that kept the server from running — without
/// the ops page. Each action is the same recorded event as the page's, with the operator's name.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the outbox (pending and parked deliveries), send a parked one again, or give one up.",
        discussion: """
            Works beside a running `ledger serve` and on a stopped ledger. `requeue` and `abandon` are \
            recorded as `DeliveryRequeued` / `DeliveryAbandoned` with the operator's name (source \
            ops:<name>), exactly as the ops page's buttons.
            """,
        subcommands: [List.self, Requeue.self, Abandon.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the pending and parked deliveries, lane by lane, one per line.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Print at most this many.")
        var limit = 1000

        func run() async throws {
            try await reportingFailures {
                let store = try await database.openProjectionStore(folding: true)
                let outbox: [DeliveriesProjection.State]
                do { outbox = try await store.read(DeliveriesProjection.outbox(limit: limit)) } catch {
                    await store.close()
                    throw Failure.unusableDatabase("\(error)")
                }
                await store.close()
                for delivery in outbox {
                    let scheduled = delivery.scheduled
                    let last = delivery.lastError.map { " — \(Self.printable($0))" } ?? ""
                    print(
                        "\(scheduled.deliveryId)\t\(delivery.status)\t\(scheduled.kind)\t\(delivery.attempts) attempts\t\(scheduled.method) \(Self.printable(scheduled.url))\(last)"
                    )
                }
                if outbox.isEmpty { print("the outbox is empty") }
            }
        }

        /// A stored URL or error as one line of text: control characters shown, not obeyed.
        static func printable(_ text: String) -> String {
            String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(300))
        }
    }

    /// Which delivery, and who decides: what both actions take.
    struct Choice: ParsableArguments {
        @Argument(help: "The delivery's id, as `ledger deliveries list` prints it.")
        var deliveryId: String

        @Option(name: .customLong("operator"), help: "Who decides: recorded with the action.")
        var operatorName: String
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a parked delivery back to the outbox, due at once.")

        @OptionGroup var choice: Choice
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await act(database) { try await $0.requeue(choice.deliveryId, by: choice.operatorName) }
        }
    }

    struct Abandon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a pending or parked delivery up, for a stated reason.")

        @OptionGroup var choice: Choice

        @Option(help: "Why: recorded with the action.")
        var reason: String

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await act(database) { try await $0.abandon(choice.deliveryId, by: choice.operatorName, reason: reason) }
        }
    }
}

extension AsyncParsableCommand {
    /// Runs one recorded operator action on the ledger; prints what was done, or why not (exit 1).
    fileprivate func act(_ database: DatabaseOptions, _ action: (OpsActions) async throws -> OpsActions.Outcome) async throws {
        try await reportingFailures {
            let store = try await database.openProjectionStore(folding: true)
            let outcome: OpsActions.Outcome
            do { outcome = try await action(OpsActions(store: store)) } catch {
                await store.close()
                throw Failure.unusableDatabase("\(error)")
            }
            await store.close()
            switch outcome {
            case .done(let message): print(message)
            case .notFound(let message), .refused(let message): throw Failure.refused(message)
            }
        }
    }
}
