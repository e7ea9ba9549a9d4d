import Domain
import Ledger
import Projections

/// How the ledger reaches the IOP now, and how the IOP is let in: the registered connection when
/// there is one (`IOPConnectionProjection`: discovered endpoints, the token the IOP gave, the hash
/// of the one the ledger gave), else the command-line settings (`--iop-url`, `--iop-token`,
/// `--token`). Read from the log at each use, so a registration made by `ledger register` or by
/// the IOP on another instance takes effect without a restart.
public struct IOPLink: Sendable {
    let store: any ProjectionStore
    /// `--iop-url` with this CPO's identity: used until a registration says otherwise.
    let configured: IOPEndpoint?
    /// `--iop-token`.
    let configuredToken: String?
    /// This CPO's identity in push URLs.
    let countryCode: String
    let partyId: String
    /// Opens the sealed IOP token; `nil` when no key is configured (then a registration is refused).
    let secrets: SecretBox?

    public init(
        store: any ProjectionStore,
        configured: IOPEndpoint?,
        configuredToken: String?,
        countryCode: String,
        partyId: String,
        secrets: SecretBox?
    ) {
        self.store = store
        self.configured = configured
        self.configuredToken = configuredToken
        self.countryCode = countryCode
        self.partyId = partyId
        self.secrets = secrets
    }

    /// What the connection is now.
    public struct Current: Sendable {
        /// Where pushes go; `nil`: nowhere (no IOP configured and none registered).
        public let endpoint: IOPEndpoint?
        /// The token presented to the IOP and to `response_url`s.
        public let token: String?
        /// Registered once and unregistered since: pushes wait in the outbox (spec digest C-14).
        public let paused: Bool
        /// The connection as recorded; `nil` before any handshake.
        public let connection: IOPConnectionProjection.State?
    }

    public func current() async throws -> Current {
        let connection = try await store.state(IOPConnectionProjection.self, IOPConnectionProjection.key)
        guard let connection, let registration = connection.registration else {
            return Current(endpoint: configured, token: configuredToken, paused: false, connection: connection)
        }
        // Unregistered: pushes still queue at the last registration's endpoints, and wait there.
        guard connection.registered else { return Current(endpoint: endpoint(connection), token: nil, paused: true, connection: connection) }
        guard let secrets else {
            throw CredentialsError(.badSecretKey, "the ledger holds an IOP registration but this server has no secret key to open its token")
        }
        let token = try secrets.open(registration.outboundTokenSealed)
        return Current(endpoint: endpoint(connection), token: token, paused: false, connection: connection)
    }

    /// Where pushes go now: the last registration's endpoints, else `--iop-url`. Needs no key.
    public func endpoint() async throws -> IOPEndpoint? {
        endpoint(try await store.state(IOPConnectionProjection.self, IOPConnectionProjection.key))
    }

    private func endpoint(_ connection: IOPConnectionProjection.State?) -> IOPEndpoint? {
        guard let registration = connection?.registration else { return configured }
        return IOPEndpoint(
            url: registration.versionsUrl,
            modules: Dictionary(registration.endpoints.map { ($0.identifier, $0.url) }, uniquingKeysWith: { first, _ in first }),
            countryCode: countryCode,
            partyId: partyId,
            version: OCPIVersion(rawValue: registration.version) ?? .v211,
            hub: "\(registration.countryCode)/\(registration.partyId)"
        )
    }
}
