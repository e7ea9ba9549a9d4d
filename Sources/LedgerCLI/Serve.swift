import API
import ArgumentParser
import Foundation
import Ledger
import Logging
import NIOCore
import PostgresStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the OCPI 2.1.1 and 2.2.1 endpoints for the IOP and the OCPP 1.6J and 2.0.1 central system, on one port.",
        discussion: """
            Every option can also be set with an environment variable LEDGER_<NAME> \
            (LEDGER_PORT, LEDGER_IOP_TOKEN, …); a command-line option wins. \
            Stops gracefully on SIGTERM or SIGINT: no new requests, in-flight appends finish, \
            WebSockets are closed. One server per SQLite ledger; on a PostgreSQL ledger any number \
            may serve at once (behind one load balancer), sharing commands, chargers and the outbox.
            """
    )

    @Option(help: "Address to listen on (LEDGER_HOST).")
    var host: String = environment("HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (LEDGER_PORT).")
    var port: Int = environment("PORT").flatMap(Int.init) ?? 8080

    @OptionGroup var database: DatabaseOptions

    @Option(
        help: ArgumentHelp(
            "JSON array of OCPI 2.1.1 Locations whose EVSEs carry \"ocpp\": {\"charge_point_id\", \"connector_id\"}, for an OCPP 2.0.1 station also \"evse_id\" (default: connector_id) and optionally \"version\": \"2.0.1\" or \"1.6\" (which to agree on when the charger offers both; default the newest) (LEDGER_LOCATIONS).",
            valueName: "file"
        )
    )
    var locations: String = environment("LOCATIONS") ?? "examples/locations.json"

    @OptionGroup var tariffs: TariffOptions

    @Option(help: "The token the IOP must present; generated, stored beside the database and printed once if absent (LEDGER_TOKEN).")
    var token: String?

    @Option(
        help:
            "The base URL the IOP reaches this server at: its credentials advertise {url}/ocpi/versions (LEDGER_PUBLIC_URL; default http://host:port)."
    )
    var publicURL: String?

    @Option(help: "The token we present to the IOP and to response_urls, until a registration gives one (LEDGER_IOP_TOKEN).")
    var iopToken: String?

    @Option(
        help:
            "The bearer token of the read-only /ops API (dispute timelines, anomalies, the log as NDJSON); without it /ops is disabled (LEDGER_OPS_TOKEN)."
    )
    var opsToken: String?

    @Option(help: "Seconds an HTTP connection may stay silent before it is closed (LEDGER_IDLE_TIMEOUT).")
    var idleTimeout: Int = environment("IDLE_TIMEOUT").flatMap(Int.init) ?? 60

    @Option(
        help:
            "HTTP connections (not chargers' WebSockets) held at once; past it they are answered 503 while chargers still connect (LEDGER_MAX_HTTP_CONNECTIONS)."
    )
    var maxHTTPConnections: Int = environment("MAX_HTTP_CONNECTIONS").flatMap(Int.init) ?? 1024

    @Option(help: "Seconds a charger has to answer a command before the result is TIMEOUT (LEDGER_COMMAND_TIMEOUT).")
    var commandTimeout: Int = environment("COMMAND_TIMEOUT").flatMap(Int.init) ?? 30

    @Option(
        help:
            "Seconds a charger may stay disconnected before its EVSEs are published UNKNOWN to the IOP; a reconnection within it changes nothing (LEDGER_OFFLINE_GRACE)."
    )
    var offlineGrace: Int = environment("OFFLINE_GRACE").flatMap(Int.init) ?? 900

    @Option(help: "OCPI commands offered; others answer NOT_SUPPORTED. Gireve's IOP sends only START_SESSION and STOP_SESSION (LEDGER_COMMANDS).")
    var commands: String = environment("COMMANDS") ?? "START_SESSION,STOP_SESSION"

    @Option(
        help: ArgumentHelp(
            "Hosts a command's response_url may name besides the --iop-url host, comma-separated; loopback and private addresses only when listed. With neither, any public host (LEDGER_RESPONSE_URL_HOSTS).",
            valueName: "hosts"
        )
    )
    var responseURLHosts: String = environment("RESPONSE_URL_HOSTS") ?? ""

    @Option(help: "A local RFID swipe when the IOP cannot answer in time: reject or accept (LEDGER_RFID_FALLBACK).")
    var rfidFallback: String = environment("RFID_FALLBACK") ?? "reject"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard commandTimeout > 0 else { throw ValidationError("--command-timeout must be at least 1 second") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        guard offlineGrace > 0 else { throw ValidationError("--offline-grace must be at least 1 second") }
        guard maxHTTPConnections > 0 else { throw ValidationError("--max-http-connections must be at least 1") }
        guard ["reject", "accept"].contains(rfidFallback) else { throw ValidationError("--rfid-fallback must be reject or accept") }
        for name in commands.split(separator: ",") where CommandType(rawValue: String(name)) == nil {
            throw ValidationError("--commands: \(name) is not an OCPI 2.1.1 command (START_SESSION, STOP_SESSION, RESERVE_NOW, UNLOCK_CONNECTOR)")
        }
    }

    func run() async throws {
        ParentWatch.start()
        try await reportingFailures {
            let registry: LocationRegistry
            do { registry = try LocationRegistry(contentsOf: URL(fileURLWithPath: locations)) } catch {
                throw Failure.cannotServe("\(error)")
            }
            let party = tariffs.push.party
            let secrets: SecretBox?
            do { secrets = try SecretKeyFile.load(for: database) } catch { throw Failure.cannotServe("\(error)") }
            let locationProblems = registry.problems(
                countryCode: party.countryCode,
                partyId: party.partyId,
                version: tariffs.push.party.iop?.version ?? .v211
            )
            guard locationProblems.isEmpty else {
                throw Failure.cannotServe(RefusedFile(kind: "locations", file: locations, problems: locationProblems).description)
            }
            // Checked before the ledger is opened: a refused tariffs file records nothing.
            let catalog = try tariffs.publication.catalog(checkedAgainst: registry, failing: Failure.cannotServe)
            // One server per SQLite ledger; on PostgreSQL the instances coordinate instead.
            let lock: InstanceLock?
            do { lock = PostgresLocation.isURL(database.db) ? nil : try InstanceLock(ledger: database.db) } catch {
                throw Failure.unusableDatabase("\(error)")
            }
            let token = try serverToken()
            let (store, coordination) = try await database.openServedLedger()
            do {
                try await tariffs.publication.publish(catalog, to: store)
                let published = try await LocationPublisher(store: store, push: try await party.endpoint(on: store)).publish(
                    registry,
                    source: locations
                )
                FileHandle.standardOutput.write(
                    Data("locations published: \(published.isEmpty ? "none (unchanged)" : published.joined(separator: ", "))\n".utf8)
                )
            } catch {
                await store.close()
                throw Failure.unusableDatabase("cannot record the tariffs and locations: \(error)")
            }
            var logger = Logger(label: "chargeledger")
            logger.logLevel = .info
            // A socket per charger: the soft limit is raised to the hard one (`FileLimit`).
            let openFiles = FileLimit.raise()
            let configuration = LedgerServer.Configuration(
                host: host,
                port: port,
                locations: registry,
                token: token.value,
                iopToken: iopToken ?? environment("IOP_TOKEN"),
                iop: party.iop,
                commandTimeout: .seconds(commandTimeout),
                offeredCommands: Set(commands.split(separator: ",").compactMap { CommandType(rawValue: String($0)) }),
                rfidFallback: rfidFallback == "accept" ? "ALLOWED" : "NOT_ALLOWED",
                opsToken: opsToken ?? environment("OPS_TOKEN"),
                idleTimeout: .seconds(idleTimeout),
                responseURLHosts: responseURLHosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                maxHTTPConnections: maxHTTPConnections,
                offlineGrace: .seconds(offlineGrace),
                party: party.party,
                secrets: secrets,
                publicURL: publicURL ?? environment("PUBLIC_URL")
            )
            let server = LedgerServer(configuration: configuration, store: store, coordination: coordination, logger: logger)
            let path = database.displayName
            do {
                try await server.run { [logger] port in
                    // A generated token is kept and shown only once the server listens: a server
                    // that could not start has handed no token out.
                    token.store()
                    FileHandle.standardOutput.write(Data("ledger serving on http://\(configuration.host):\(port) (database \(path))\n".utf8))
                    logger.info("open-file limit \(openFiles): at most about that many chargers connected at once")
                }
            } catch {
                await store.close()
                withExtendedLifetime(lock) {}
                if Self.isAddressInUse(error) {
                    throw Failure.cannotServe(
                        "port \(port) on \(host) is in use (another `ledger serve`?): stop what holds it, or choose another --port (0 picks a free one)"
                    )
                }
                throw Failure.cannotServe("server stopped: \(error)")
            }
            await store.close()
            withExtendedLifetime(lock) {}
        }
    }

    /// NIO's bind failure, however the service group passed it on.
    static func isAddressInUse(_ error: any Error) -> Bool {
        if let error = error as? IOError, error.errnoCode == EADDRINUSE { return true }
        return "\(error)".contains("Address already in use")
    }

    /// The token the IOP must present, and, when it was generated, how it is kept.
    struct ServerToken {
        let value: String
        /// `<db>.token`, written (mode 0600) and announced once the server listens; `nil` when given or read back.
        let generatedFile: String?

        func store() {
            guard let generatedFile else { return }
            guard FileManager.default.createFile(atPath: generatedFile, contents: Data((value + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else {
                FileHandle.standardError.write(
                    Data(
                        "warning: cannot store the generated IOP token in \(generatedFile): it holds for this run only; give one with --token\n".utf8
                    )
                )
                FileHandle.standardOutput.write(Data("generated the IOP token for this run: \(value)\n".utf8))
                return
            }
            FileHandle.standardOutput.write(Data("generated the IOP token (stored in \(generatedFile)): \(value)\n".utf8))
        }
    }

    /// The IOP's token: given, or kept in `<db>.token` by an earlier run, or generated — on
    /// SQLite; a PostgreSQL ledger has no file beside it, so there it must be given.
    private func serverToken() throws -> ServerToken {
        if let token = token ?? environment("TOKEN") { return ServerToken(value: token, generatedFile: nil) }
        guard !PostgresLocation.isURL(database.db) else {
            throw Failure.cannotServe("on a PostgreSQL ledger give the IOP's token with --token (LEDGER_TOKEN)")
        }
        let file = database.db + ".token"
        if let stored = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !stored.isEmpty {
            return ServerToken(value: stored, generatedFile: nil)
        }
        return ServerToken(value: UUID().uuidString.lowercased(), generatedFile: file)
    }
}

/// `LEDGER_<NAME>` from the environment.
func environment(_ name: String) -> String? {
    ProcessInfo.processInfo.environment["LEDGER_\(name)"]
}
