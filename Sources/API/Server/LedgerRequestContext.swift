import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The request context of every route: Hummingbird's core storage plus what a WebSocket upgrade needs.
public struct LedgerRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<LedgerRequestContext>
    /// Who is acting on an ops route: the user name of a Basic login (`OpsAuthentication`).
    public var operatorName: String?
    /// Which token let an OCPI request in (`TokenAuthentication`): the credentials module answers by it.
    var ocpiCaller: OCPICaller?
    /// The OCPI versions that token may use: what version discovery lists to it.
    var ocpiVersions: [OCPIVersion] = [.v211]
    /// The connection, for what only its pipeline can do (`FrontDoor.refuseUpgradeAsUnauthorized`).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
