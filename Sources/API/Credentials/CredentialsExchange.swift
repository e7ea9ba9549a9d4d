import AsyncHTTPClient
import Domain
import Foundation
import Ledger
import NIOCore
import NIOHTTP1

/// The calls of an OCPI 2.1.1 credentials handshake made to the other side: its versions, its
/// 2.1.1 endpoints, and our credentials POSTed or PUT to it. Every call has a timeout; any
/// answer that is not HTTP 2xx with `status_code` 1000 is a failure (spec digest §5.2 [REC]).
public struct CredentialsExchange: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    public init(client: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    /// The modules the ledger needs of the IOP's eMSP side (spec digest C-07 [REC]); `tariffs` and
    /// `tokens` are used when listed.
    static let requiredModules: Set<String> = ["credentials", "locations", "sessions", "cdrs"]

    /// The other side's endpoints for `version`, read from its versions URL with `token`. In
    /// OCPI 2.2.1 a module may be listed once per role: the ledger takes, for the modules it
    /// pushes to, the IOP's receiving side, and for Tokens (real-time authorization) its sending side.
    public func endpoints(versionsURL: String, token: String, version: OCPIVersion = .v211) async throws(CredentialsError) -> [String: String] {
        let versions = try await call(.GET, versionsURL, token: token, version: version, what: "versions")
        guard case .array(let list)? = versions["data"] else {
            throw CredentialsError(.unreachable, "the versions answer of \(versionsURL) has no list of versions")
        }
        guard let detailsURL = list.first(where: { $0["version"]?.stringValue == version.rawValue })?["url"]?.stringValue else {
            let offered = list.compactMap { $0["version"]?.stringValue }.joined(separator: ", ")
            throw CredentialsError(.unsupportedVersion, "\(versionsURL) offers \(offered.isEmpty ? "no version" : offered), not \(version.rawValue)")
        }
        let details = try await call(.GET, detailsURL, token: token, version: version, what: "\(version.rawValue) details")
        guard case .array(let items)? = details["data"]?["endpoints"] else {
            throw CredentialsError(.unreachable, "the \(version.rawValue) details of \(detailsURL) list no endpoints")
        }
        var endpoints: [String: String] = [:]
        for item in items {
            guard let identifier = item["identifier"]?.stringValue, let url = item["url"]?.stringValue else { continue }
            let wanted = identifier == "tokens" ? "SENDER" : "RECEIVER"
            // 2.1.1 lists no roles; in 2.2.1 the wanted role wins over another listed first.
            if endpoints[identifier] == nil || item["role"]?.stringValue == wanted { endpoints[identifier] = url }
        }
        let missing = Self.requiredModules.subtracting(endpoints.keys).sorted()
        guard missing.isEmpty else {
            throw CredentialsError(.missingEndpoints, "the \(version.rawValue) details of \(detailsURL) lack \(missing.joined(separator: ", "))")
        }
        return endpoints
    }

    /// Sends our credentials (POST to register, PUT to update) with `token`; returns theirs.
    public func send(
        _ method: HTTPMethod,
        _ ours: JSONValue,
        to url: String,
        token: String,
        version: OCPIVersion = .v211
    ) async throws(CredentialsError) -> Credentials {
        let answer = try await call(method, url, token: token, body: ours, version: version, what: "credentials \(method.rawValue)")
        guard let data = answer["data"] else { throw CredentialsError(.refused, "\(url) answered without credentials") }
        do { return try Credentials(data, version: version) } catch {
            throw CredentialsError(.refused, "\(url) answered with unusable credentials: \(error.message)")
        }
    }

    /// One call; on 2.2.1 the token goes Base64-encoded and the call carries its own ids (no
    /// routing headers: OCPI forbids them on the credentials and versions modules).
    private func call(
        _ method: HTTPMethod,
        _ url: String,
        token: String,
        body: JSONValue? = nil,
        version: OCPIVersion,
        what: String
    ) async throws(CredentialsError)
        -> JSONValue
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        let id = UUID().uuidString.lowercased()
        request.addOCPIHeaders(token: token, version: version, exchange: OCPIExchange(correlationId: id), requestId: id)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.canonicalText))
        }
        let status: UInt
        let envelope: JSONValue?
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status.code
            envelope = try? JSONValue(parsing: Array(buffer: try await response.body.collect(upTo: 1 << 20)))
        } catch {
            throw CredentialsError(.unreachable, "\(what) of \(url): \(error)")
        }
        let code = envelope?["status_code"]?.int64Value
        guard (200..<300).contains(status), code == 1000, let envelope else {
            let reason = envelope?["status_message"]?.stringValue.map { ": \($0)" } ?? ""
            throw CredentialsError(
                what.hasPrefix("credentials") ? .refused : .unreachable,
                "\(what) of \(url) answered HTTP \(status), status_code \(code.map(String.init) ?? "none")\(reason)"
            )
        }
        return envelope
    }
}

/// An OCPI Credentials object, checked: 2.1.1's (`credentials.md` §2.1: one party, flat) or
/// 2.2.1's (a `roles` list, spec digest §4.2), of which the ledger keeps the one party it deals
/// with — the hub's role when listed (Gireve presents only `HUB` FR/107 or FR/007), else the first.
public struct Credentials: Sendable, Equatable {
    public var token: String
    public var url: String
    public var partyId: String
    public var countryCode: String
    public var businessName: String

    public init(token: String, url: String, partyId: String, countryCode: String, businessName: String) {
        self.token = token
        self.url = url
        self.partyId = partyId
        self.countryCode = countryCode
        self.businessName = businessName
    }

    /// Parses and checks (C-08, C-09; X2-19: a 2.1.1 object sent to 2.2.1): OCPI 2001 material when it throws.
    public init(_ json: JSONValue, version: OCPIVersion = .v211) throws(CredentialsError) {
        func field(_ object: JSONValue, _ name: String, max: Int, at path: String = "") throws(CredentialsError) -> String {
            guard let value = object[name]?.stringValue, !value.isEmpty else { throw CredentialsError(.refused, "\(path)\(name) is required") }
            guard value.count <= max else { throw CredentialsError(.refused, "\(path)\(name) is longer than \(max) characters") }
            return value
        }
        token = try field(json, "token", max: 64)
        url = try field(json, "url", max: 255)
        var party = json
        var path = ""
        if version == .v221 {
            guard case .array(let roles)? = json["roles"], !roles.isEmpty else {
                throw CredentialsError(.refused, "roles is required (an OCPI 2.1.1 Credentials object was sent to the 2.2.1 endpoint?)")
            }
            let index = roles.firstIndex { $0["role"]?.stringValue == "HUB" } ?? 0
            party = roles[index]
            path = "roles[\(index)]."
            _ = try field(party, "role", max: 5, at: path)
        }
        partyId = try field(party, "party_id", max: 3, at: path)
        countryCode = try field(party, "country_code", max: 2, at: path)
        guard let name = party["business_details"]?["name"]?.stringValue, !name.isEmpty else {
            throw CredentialsError(.refused, "\(path)business_details.name is required")
        }
        businessName = name
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
            throw CredentialsError(.refused, "url must be an http(s) URL of the versions endpoint")
        }
    }

    /// The object as `version` writes it; in 2.2.1 with one `CPO` role (this ledger's, V2-04).
    public func json(_ version: OCPIVersion) -> JSONValue {
        let party: [String: JSONValue] = [
            "party_id": .string(partyId), "country_code": .string(countryCode), "business_details": .object(["name": .string(businessName)]),
        ]
        guard version == .v221 else { return .object(party.merging(["token": .string(token), "url": .string(url)]) { $1 }) }
        return .object([
            "token": .string(token), "url": .string(url),
            "roles": .array([.object(party.merging(["role": .string("CPO")]) { $1 })]),
        ])
    }
}
