import API
import ArgumentParser
import Domain
import Foundation
import Ledger
import Pricing
import Projections

struct Price: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Price a described session with a tariff: what it would cost, and why.",
        discussion: """
            For "what would this have cost?" and for re-pricing a disputed session under another \
            tariff version. Nothing is read from or written to a ledger. The session file is JSON: \
            {"start_date_time", "stop_date_time", "time_zone" (the location's, e.g. Europe/Paris), \
            "meter_values": [{"timestamp", "wh"}] (the cumulative register; the energy between two \
            readings is spread evenly over the charging time between them), "not_charging": \
            [{"from", "to"}] (optional: the EV parked, e.g. full)}. Prints the fields the CDR would \
            carry (total_cost, charging_periods, totals) with each period's computation.
            """
    )

    @Option(help: ArgumentHelp("JSON array of OCPI 2.1.1 Tariffs.", valueName: "file"))
    var tariffs: String = "examples/tariffs.json"

    @Option(help: ArgumentHelp("The id of the tariff to price with.", valueName: "id"))
    var tariff: String

    @Option(help: ArgumentHelp("The session, described as above.", valueName: "file"))
    var session: String

    @Flag(help: "Print JSON (the CDR's fields and `pricing`, the computation) instead of text.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let catalog: TariffCatalog
            do { catalog = try TariffCatalog(contentsOf: URL(fileURLWithPath: tariffs)) } catch { throw Failure.refused("\(error)") }
            guard let entry = catalog.entry(tariff) else {
                throw Failure.refused("\(tariffs) has no tariff \"\(tariff)\" (it has: \(catalog.entries.map(\.tariff.id).joined(separator: ", ")))")
            }
            let described: ChargingSession
            do { described = try ChargingSession.decode(Data(contentsOf: URL(fileURLWithPath: session))) } catch {
                throw Failure.refused("session file \(session): \(error)")
            }
            let priced = SessionPricing.Priced(Pricing.price(described, with: entry.tariff), tariff: entry.object, timeZone: described.timeZone)
            if json {
                FileHandle.standardOutput.write(Data((priced.cdrFields.canonicalText + "\n").utf8))
                return
            }
            let result = priced.result
            var lines = [
                "total_cost \(OCPIObjects.money(result.totalCost).canonicalText) \(result.currency)",
                "total_energy \(SessionPricing.volume(result.totalEnergy)) kWh, total_time \(SessionPricing.volume(result.totalTime)) h, total_parking_time \(SessionPricing.volume(result.totalParkingTime)) h",
            ]
            lines += PriceExplanation.lines(priced.pricing, totalCost: result.totalCost, currency: result.currency)
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }
}
