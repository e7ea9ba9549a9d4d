import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Ledger
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Everything `ledger serve` runs, on one port: the OCPI endpoints, the OCPP 1.6J central system,
/// the timeout service and the outbox — as `Service`s in one `ServiceGroup`, shut down gracefully
/// on SIGTERM/SIGINT (the HTTP server first, so nothing new arrives while the rest drains).
///
/// Several servers may share one PostgreSQL ledger (`coordination`): each takes any request and
/// any charger; commands reach a charger through the instance holding its connection
/// (`RemoteDispatch`), outbox lanes are leased (`OutboxSender`), deadlines are settled by
/// whichever instance records first (`CommandOutcomes`), and the connections of an instance that
/// stopped are ended by the others (`InstanceHeartbeat`).
public struct LedgerServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var locations: LocationRegistry
        /// The token the IOP must present (`Authorization: Token …`).
        public var token: String
        /// The token we present to the IOP and to `response_url`s.
        public var iopToken: String?
        /// Where Sessions and CDRs are pushed; none when `nil` (they stay in the ledger).
        public var iop: IOPEndpoint?
        public var commandTimeout: Duration
        public var offeredCommands: Set<CommandType>
        /// A swipe's fate when the IOP cannot be asked: `NOT_ALLOWED` (reject, the default) or `ALLOWED`.
        public var rfidFallback: String
        /// The bearer token of the `/ops` API; `nil` disables it.
        public var opsToken: String?
        /// Hosts a `response_url` may name besides the IOP's (`ResponseURLPolicy`).
        public var responseURLHosts: [String]
        /// Connections that are not a charger's the server holds at once (`FrontDoor`); past it,
        /// such connections are answered 503 while chargers still connect.
        public var maxHTTPConnections: Int
        /// Real time an OCPI request body has to arrive whole once its head is in: a body trickled
        /// a byte at a time must not hold a connection (and a task) for minutes.
        public var bodyTimeout: Duration
        /// An HTTP connection that sends nothing for this long is closed (a slow or abandoned
        /// client must not hold a connection). OCPP WebSockets are kept alive by pings instead.
        public var idleTimeout: Duration
        /// This CPO in OCPI (credentials, push URLs when registered).
        public var party: CPOParty
        /// Seals the IOP's token of a registration (docs/security.md); `nil`: registration refused.
        public var secrets: SecretBox?
        /// The base URL the IOP reaches this server at (`--public-url`): its credentials advertise
        /// `{publicURL}/ocpi/versions`.
        public var publicURL: String?
        /// How long a charger may be disconnected before its EVSEs are published `UNKNOWN`
        /// (`OfflineWatch`; spec digest §4.6: 2–3 heartbeat intervals, and ours is 300 s).
        public var offlineGrace: Duration

        public init(
            host: String,
            port: Int,
            locations: LocationRegistry,
            token: String,
            iopToken: String?,
            iop: IOPEndpoint? = nil,
            commandTimeout: Duration,
            offeredCommands: Set<CommandType>,
            rfidFallback: String = "NOT_ALLOWED",
            opsToken: String? = nil,
            idleTimeout: Duration = .seconds(60),
            responseURLHosts: [String] = [],
            bodyTimeout: Duration = .seconds(10),
            maxHTTPConnections: Int = 1024,
            offlineGrace: Duration = .seconds(900),
            party: CPOParty? = nil,
            secrets: SecretBox? = nil,
            publicURL: String? = nil
        ) {
            self.host = host
            self.port = port
            self.locations = locations
            self.token = token
            self.iopToken = iopToken
            self.iop = iop
            self.commandTimeout = commandTimeout
            self.offeredCommands = offeredCommands
            self.rfidFallback = rfidFallback
            self.opsToken = opsToken
            self.idleTimeout = idleTimeout
            self.responseURLHosts = responseURLHosts
            self.bodyTimeout = bodyTimeout
            self.maxHTTPConnections = maxHTTPConnections
            self.offlineGrace = offlineGrace
            self.party = party ?? iop.map { CPOParty(countryCode: $0.countryCode, partyId: $0.partyId) } ?? CPOParty()
            self.secrets = secrets
            self.publicURL = publicURL
        }
    }

    let configuration: Configuration
    let store: any ProjectionStore
    let coordination: any InstanceCoordination
    let clock: any LedgerClock
    let logger: Logger

    public init(
        configuration: Configuration,
        store: any ProjectionStore,
        coordination: any InstanceCoordination = SoleInstance(),
        clock: any LedgerClock = SystemClock(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.coordination = coordination
        self.clock = clock
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT — or until `stopWhen` returns, which shuts down just as
    /// gracefully (how tests and embedders stop it). `onRunning` gets the bound port.
    public func run(
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        stopWhen: (@Sendable () async -> Void)? = nil
    ) async throws {
        var logger = logger
        logger[metadataKey: "instance"] = .string(coordination.instance)
        // Every OCPP 2.0.1 CALL is checked against its schema: without them no station could be served.
        try OCPP201Schema.requireInstalled()
        // Alive, and the connections a stopped instance left open ended, before anything is accepted;
        // commands other instances record from here on may name this one.
        let heartbeat = InstanceHeartbeat(store: store, coordination: coordination, clock: clock, logger: logger)
        try await heartbeat.beat()
        let start = try await store.headPosition()
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(15)))
        )
        let responseURLs = ResponseURLPolicy(iopURL: configuration.iop?.url, allowedHosts: configuration.responseURLHosts)
        let centralSystem = CentralSystem(clock: clock, logger: logger)
        let metrics = LedgerMetrics()
        let link = IOPLink(
            store: store,
            configured: configuration.iop,
            configuredToken: configuration.iopToken,
            countryCode: configuration.party.countryCode,
            partyId: configuration.party.partyId,
            secrets: configuration.secrets
        )
        let outcomes = CommandOutcomes(store: store, metrics: metrics, logger: logger, link: link)
        // A transaction binds to a START_SESSION received up to the command's deadline plus the
        // time a driver takes to plug in (OCPP's ConnectionTimeOut is typically 1–3 minutes).
        let transactions = TransactionService(
            store: store,
            locations: configuration.locations,
            iop: link,
            authorizer: HTTPTokenAuthorizer(client: client, link: link),
            rfidFallback: configuration.rfidFallback,
            transactionIds: try await TransactionIds(store: store),
            clock: clock,
            bindingWindow: configuration.commandTimeout + .seconds(300),
            logger: logger
        )
        let commands = CommandService(
            store: store,
            locations: configuration.locations,
            gateway: centralSystem,
            coordination: coordination,
            clock: clock,
            commandTimeout: configuration.commandTimeout,
            offered: configuration.offeredCommands,
            responseURLs: responseURLs,
            metrics: metrics,
            party: "\(configuration.party.countryCode)/\(configuration.party.partyId)"
        )

        let router = Router(context: LedgerRequestContext.self)
        router.get("health") { _, _ in "ok" }
        router.get("metrics") { _, _ -> Response in
            .text(try await metrics.exposition(store: store, now: clock.now()), contentType: "text/plain; version=0.0.4")
        }
        let registration = Registration(
            store: store,
            exchange: CredentialsExchange(client: client),
            secrets: configuration.secrets,
            party: configuration.party
        )
        OCPIRoutes(
            commands: commands,
            store: store,
            clock: clock,
            configuredVersion: configuration.iop?.version ?? .v211,
            baseURL: configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)",
            bodyTimeout: configuration.bodyTimeout
        )
        .register(
            on: router,
            token: configuration.token,
            pull: PullRoutes(
                store: store,
                objects: OCPIObjects(locations: configuration.locations),
                objects221: OCPI221Objects(
                    locations: configuration.locations,
                    countryCode: configuration.party.countryCode,
                    partyId: configuration.party.partyId,
                    hub: configuration.iop?.hub ?? IOPEndpoint.gireveHub
                ),
                clock: clock
            ),
            credentials: CredentialsRoutes(registration: registration, publicURL: configuration.publicURL, clock: clock)
        )
        OpsRoutes(store: store, token: configuration.opsToken).register(on: router)
        OpsPages(store: store, token: configuration.opsToken, templates: try await OpsPages.templates()).register(on: router)
        let webSocketRouter = Router(context: LedgerRequestContext.self)
        OCPPRoute(
            instance: coordination.instance,
            centralSystem: centralSystem,
            store: store,
            outcomes: outcomes,
            transactions: transactions,
            locations: configuration.locations,
            clock: clock,
            logger: logger
        ).register(on: webSocketRouter)

        let app = Application(
            router: router,
            server: Self.serverBuilder(
                webSocketRouter: webSocketRouter,
                idleTimeout: configuration.idleTimeout,
                cap: ConnectionCap(limit: configuration.maxHTTPConnections, logger: logger)
            ),
            // A backlog of 4,096 (Linux caps it at net.core.somaxconn): when thousands of chargers
            // reconnect at once, the default 256 drops their SYNs and each retries a second or
            // more later (docs/performance.md, issue 31).
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "chargeledger", backlog: 4096),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(named: ShutdownAction { try await client.shutdown() }),
            // Shut down after the services that hold leases: the lane leases and the heartbeat go last.
            .init(named: ShutdownAction { try await coordination.leave() }),
            .init(named: TimeoutService(store: store, outcomes: outcomes, clock: clock, logger: logger)),
            .init(
                named: OfflineWatch(
                    store: store,
                    coordination: coordination,
                    publisher: EvseStatusPublisher(store: store, locations: configuration.locations, iop: link),
                    grace: configuration.offlineGrace,
                    clock: clock,
                    logger: logger
                )
            ),
            .init(
                named: OutboxSender(
                    store: store,
                    coordination: coordination,
                    transport: HTTPDeliveryTransport(client: client, link: link, policy: responseURLs),
                    clock: clock,
                    logger: logger
                )
            ),
        ]
        // Alone on its ledger, the beat at start-up is the only one needed (nobody else can die
        // holding chargers), and no other instance can address a CALL to this one.
        if coordination.sharesLedger {
            services.insert(.init(named: heartbeat), at: 2)  // right after `leave`: stopped just before it
            services.append(
                .init(
                    named: RemoteDispatch(
                        store: store,
                        gateway: centralSystem,
                        instance: coordination.instance,
                        start: start,
                        clock: clock,
                        logger: logger
                    )
                )
            )
        }
        services.append(.init(named: app))
        if let stopWhen {
            services.append(
                .init(
                    named: ShutdownAction(waitsForShutdown: false) { await stopWhen() },
                    successTerminationBehavior: .gracefullyShutdownGroup
                )
            )
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// HTTP/1.1 with the OCPP WebSocket upgrade. A connection must deliver its first request head
    /// within `idleTimeout` (`RequestHeadDeadline`); after that an HTTP connection silent for
    /// `idleTimeout` is closed, and WebSockets are pinged instead.
    private static func serverBuilder(webSocketRouter: Router<LedgerRequestContext>, idleTimeout: Duration, cap: ConnectionCap) -> HTTPServerBuilder {
        let timeout = TimeAmount.nanoseconds(idleTimeout.nanoseconds)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: timeout),
            ws: .init(maxFrameSize: OCPPRoute.maximumMessage, autoPing: .enabled(timePeriod: .seconds(60)))
        )
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            GuardedChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                deadline: timeout,
                cap: cap
            )
        }
    }
}

/// A service that waits for graceful shutdown, then runs `action`: how a resource that must be
/// closed in order (the HTTP client) joins the group. With `waitsForShutdown: false` it just runs
/// `action` (a stop request whose end shuts the group down).
struct ShutdownAction: Service {
    var waitsForShutdown = true
    let action: @Sendable () async throws -> Void

    func run() async throws {
        if waitsForShutdown { try? await gracefulShutdown() }
        try await action()
    }
}
