import Domain
import Foundation
import Ledger
import NIOHTTP1
import Projections

/// The OCPI credentials handshake with the IOP, both directions (2.2.1: from the IOP only, as
/// Gireve does it) (spec digest §5.3–§5.5),
/// each step recorded: the tokens only as hashes (the IOP's) or sealed (the one the ledger
/// presents). The server (`CredentialsRoutes`) and the CLI (`ledger credentials invite`,
/// `ledger register`) both work through this, on a running or a stopped ledger.
public struct Registration: Sendable {
    let store: any ProjectionStore
    let exchange: CredentialsExchange
    /// Seals the IOP's token; `nil`: no key configured, so no registration can be kept.
    let secrets: SecretBox?
    let party: CPOParty

    public init(store: any ProjectionStore, exchange: CredentialsExchange, secrets: SecretBox?, party: CPOParty) {
        self.store = store
        self.exchange = exchange
        self.secrets = secrets
        self.party = party
    }

    /// A one-time token for the IOP to register with (TOKEN_A of "Register FromIOP"): recorded on
    /// `store` as a hash, returned to be handed over offline, shown once.
    /// `version`: the one the IOP is invited to register on — the only one its versions answer
    /// lists to that token (an IOP registers on the newest both sides list, spec digest §4.3).
    public static func invite(on store: any ProjectionStore, by: String, version: OCPIVersion = .v211) async throws -> String {
        let token = SecretBox.newToken()
        try await record(
            CredentialsTokenIssued(purpose: "invitation", tokenHash: SecretBox.hash(token), by: by, version: version.recorded),
            source: by,
            on: store
        )
        return token
    }

    /// The connection as recorded now.
    public func connection() async throws -> IOPConnectionProjection.State? {
        try await store.state(IOPConnectionProjection.self, IOPConnectionProjection.key)
    }

    /// The IOP POSTed (registration) or PUT (update) its credentials: its versions and endpoints
    /// are read with its token while its request waits, then the connection is recorded and our
    /// credentials, with a new token for it, are the answer.
    /// `version`: the credentials endpoint's, which is the version the connection speaks from now
    /// on (OCPI: the receiver infers it from the endpoint called, spec digest §4.3).
    func accept(
        _ theirs: Credentials,
        reason: String,
        versionsURL: String,
        version: OCPIVersion = .v211
    ) async throws(CredentialsError) -> Credentials {
        let endpoints = try await exchange.endpoints(versionsURL: theirs.url, token: theirs.token, version: version)
        let ours = SecretBox.newToken()
        try await record(
            registered(by: "iop", reason: reason, theirs: theirs, endpoints: endpoints, inboundToken: ours, version: version),
            source: "ocpi:credentials"
        )
        return party.credentials(token: ours, versionsURL: versionsURL)
    }

    /// "Register ToIOP" (C-16), or, already registered, "Update ToIOP" (C-17): the IOP's versions
    /// and endpoints read, a new token for the IOP recorded first (the IOP reads our versions with
    /// it before it answers), our credentials POSTed (PUT when updating), and the IOP's token kept.
    /// `advertising`: the versions URL this ledger gives the IOP (`--public-url` + `/ocpi/versions`).
    /// `version`: the OCPI version a new registration is made on (an update keeps the
    /// registration's); the offered token reaches only that version's discovery and credentials.
    public func register(
        versionsURL iopVersionsURL: String?,
        token tokenA: String?,
        advertising versionsURL: String,
        version requested: OCPIVersion = .v211,
        by: String
    )
        async throws -> IOPRegistered
    {
        let connection = try await connection()
        let current = connection?.registered == true ? connection?.registration : nil
        let (url, token, method): (String, String, HTTPMethod)
        let version: OCPIVersion
        if let current {
            guard let secrets else { throw CredentialsError(.badSecretKey, "no secret key to open the IOP token of the registration") }
            (url, token, method) = (iopVersionsURL ?? current.versionsUrl, try secrets.open(current.outboundTokenSealed), .PUT)
            version = OCPIVersion(rawValue: current.version) ?? .v211
        } else {
            guard let iopVersionsURL, let tokenA else {
                throw CredentialsError(.refused, "not registered yet: --versions-url and --token (the IOP's TOKEN_A) are needed")
            }
            (url, token, method) = (iopVersionsURL, tokenA, .POST)
            version = requested
        }
        let endpoints = try await exchange.endpoints(versionsURL: url, token: token, version: version)
        guard let credentialsURL = endpoints["credentials"] else { throw CredentialsError(.missingEndpoints, "\(url) lists no credentials endpoint") }
        let offered = SecretBox.newToken()
        try await record(
            CredentialsTokenIssued(purpose: "offer", tokenHash: SecretBox.hash(offered), by: by, version: version.recorded),
            source: by
        )
        let theirs = try await exchange.send(
            method,
            party.credentials(token: offered, versionsURL: versionsURL).json(version),
            to: credentialsURL,
            token: token,
            version: version
        )
        let event = try registered(
            by: "cpo",
            reason: current == nil ? "registration" : "update",
            theirs: Credentials(
                token: theirs.token,
                url: url,
                partyId: theirs.partyId,
                countryCode: theirs.countryCode,
                businessName: theirs.businessName
            ),
            endpoints: endpoints,
            inboundToken: offered,
            version: version
        )
        try await record(event, source: by)
        return event
    }

    /// The IOP (or the CPO) ended the connection.
    func unregister(by: String) async throws {
        try await record(IOPUnregistered(by: by), source: by == "iop" ? "ocpi:credentials" : by)
    }

    private func registered(
        by: String,
        reason: String,
        theirs: Credentials,
        endpoints: [String: String],
        inboundToken: String,
        version: OCPIVersion = .v211
    )
        throws(CredentialsError) -> IOPRegistered
    {
        guard let secrets else {
            throw CredentialsError(.badSecretKey, "this server has no secret key to keep the IOP's token (docs/security.md)")
        }
        return IOPRegistered(
            initiatedBy: by,
            reason: reason,
            versionsUrl: theirs.url,
            version: version.rawValue,
            endpoints: endpoints.sorted { $0.key < $1.key }.map { ModuleEndpoint(identifier: $0.key, url: $0.value) },
            countryCode: theirs.countryCode,
            partyId: theirs.partyId,
            businessName: theirs.businessName,
            inboundTokenHash: SecretBox.hash(inboundToken),
            outboundTokenSealed: try secrets.seal(theirs.token)
        )
    }

    private func record(_ payload: some DomainEventPayload, source: String) async throws(CredentialsError) {
        try await Self.record(payload, source: source, on: store)
    }

    private static func record(_ payload: some DomainEventPayload, source: String, on store: any ProjectionStore) async throws(CredentialsError) {
        do {
            let event = try EventCoding.newEvent(payload, metadata: EventMetadata(source: source))
            _ = try await store.append([event], to: StreamID.iopConnection, expectedVersion: .any)
        } catch {
            throw CredentialsError(.unrecorded, "the ledger could not record it: \(error)")
        }
    }
}
