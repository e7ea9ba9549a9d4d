import API
import ArgumentParser
import AsyncHTTPClient
import Domain
import Foundation
import Ledger

/// The OCPI credentials handshake from the operator's side: an invitation for the IOP to register
/// with ("Register FromIOP"), or the ledger registering with the IOP ("Register ToIOP").
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Let the IOP register with this ledger (OCPI 2.1.1 or 2.2.1 credentials).",
        subcommands: [Invite.self]
    )

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a one-time registration token (TOKEN_A) for the IOP, printed once.",
            discussion: """
                Hand the token and this server's versions URL ({public-url}/ocpi/versions) to the IOP \
                offline. With it the IOP may read version discovery and POST its credentials to \
                /ocpi/{version}/credentials, nothing else; the registration replaces it with a token \
                of the ledger's, and the connection then speaks that version (pushes, token form, \
                request ids). Only its SHA-256 is recorded. Works on a running or a stopped ledger.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(
            help:
                "The OCPI version the IOP registers on: 2.1.1, or 2.2.1 (Gireve's current guide). Version discovery lists only it to this token."
        )
        var ocpiVersion: OCPIVersion = .v211

        func run() async throws {
            try await reportingFailures {
                let store = try await database.openProjectionStore(folding: true)
                let token: String
                do { token = try await Registration.invite(on: store, by: "cli:credentials invite", version: ocpiVersion) } catch {
                    await store.close()
                    throw Failure.unusableDatabase("cannot record the invitation: \(error)")
                }
                await store.close()
                FileHandle.standardOutput.write(Data("registration token for the IOP (shown once, kept only as a hash): \(token)\n".utf8))
            }
        }
    }
}

struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register this ledger with the IOP (OCPI 2.1.1 or 2.2.1 credentials, CPO-initiated), or update a registration.",
        discussion: """
            Reads the IOP's versions and endpoints (of --ocpi-version) with TOKEN_A, records a new token for the \
            IOP (so a running server lets the IOP read its versions with it), POSTs this CPO's \
            credentials and keeps the token the IOP answers with (sealed with the secret key: \
            <db>.key beside a SQLite ledger, LEDGER_SECRET_KEY for PostgreSQL). A running `ledger \
            serve` on the same ledger uses the registration from its next call on. Already \
            registered: the credentials are PUT with the current token instead (token rotation); \
            --versions-url and --token are then not needed.
            """
    )

    @Option(help: ArgumentHelp("The IOP's versions URL, e.g. https://iop.example.net/ocpi/emsp/versions.", valueName: "url"))
    var versionsURL: String?

    @Option(help: ArgumentHelp("The IOP's registration token (TOKEN_A), given offline.", valueName: "token"))
    var token: String?

    @Option(help: "The base URL the IOP reaches this ledger's server at; the credentials advertise {url}/ocpi/versions (LEDGER_PUBLIC_URL).")
    var publicURL: String = environment("PUBLIC_URL") ?? "http://127.0.0.1:8080"

    @Option(
        help:
            "The OCPI version of a new registration: 2.1.1, or 2.2.1 (the IOP's 2.2.1 credentials, with roles). An update keeps the registration's (Gireve updates no 2.2.1 registration: it unregisters and registers again)."
    )
    var ocpiVersion: OCPIVersion = .v211

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var party: PartyOptions

    func run() async throws {
        try await reportingFailures {
            let secrets = try SecretKeyFile.load(for: database)
            let store = try await database.openProjectionStore(folding: true)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let registration = Registration(
                store: store,
                exchange: CredentialsExchange(client: client),
                secrets: secrets,
                party: party.party
            )
            let outcome: Result<IOPRegistered, any Error>
            do {
                outcome = .success(
                    try await registration.register(
                        versionsURL: versionsURL,
                        token: token,
                        advertising: "\(publicURL)/ocpi/versions",
                        version: ocpiVersion,
                        by: "cli:register"
                    )
                )
            } catch {
                outcome = .failure(error)
            }
            try? await client.shutdown()
            await store.close()
            switch outcome {
            case .success(let registered):
                let modules = registered.endpoints.map(\.identifier).joined(separator: ", ")
                FileHandle.standardOutput.write(
                    Data(
                        "\(registered.reason == "update" ? "updated" : "registered") with \(registered.countryCode)*\(registered.partyId) (\(registered.businessName)): \(modules)\n"
                            .utf8
                    )
                )
            case .failure(let error):
                throw Failure.refused("registration failed, nothing changed on this side: \(error)")
            }
        }
    }
}
