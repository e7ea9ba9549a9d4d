import AsyncHTTPClient
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

    /// The other side's 2.1.1 endpoints, read from its versions URL with `token`.
    public func endpoints(versionsURL: String, token: String) async throws(CredentialsError) -> [String: String] {
        let versions = try await call(.GET, versionsURL, token: token, what: "versions")
        guard case .array(let list)? = versions["data"] else {
            throw CredentialsError(.unreachable, "the versions answer of \(versionsURL) has no list of versions")
        }
        guard let detailsURL = list.first(where: { $0["version"]?.stringValue == "2.1.1" })?["url"]?.stringValue else {
            let offered = list.compactMap { $0["version"]?.stringValue }.joined(separator: ", ")
            throw CredentialsError(.unsupportedVersion, "\(versionsURL) offers \(offered.isEmpty ? "no version" : offered), not 2.1.1")
        }
        let details = try await call(.GET, detailsURL, token: token, what: "2.1.1 details")
        guard case .array(let items)? = details["data"]?["endpoints"] else {
            throw CredentialsError(.unreachable, "the 2.1.1 details of \(detailsURL) list no endpoints")
        }
        var endpoints: [String: String] = [:]
        for item in items {
            if let identifier = item["identifier"]?.stringValue, let url = item["url"]?.stringValue { endpoints[identifier] = url }
        }
        let missing = Self.requiredModules.subtracting(endpoints.keys).sorted()
        guard missing.isEmpty else {
            throw CredentialsError(.missingEndpoints, "the 2.1.1 details of \(detailsURL) lack \(missing.joined(separator: ", "))")
        }
        return endpoints
    }

    /// Sends our credentials (POST to register, PUT to update) with `token`; returns theirs.
    public func send(_ method: HTTPMethod, _ ours: JSONValue, to url: String, token: String) async throws(CredentialsError) -> Credentials {
        let answer = try await call(method, url, token: token, body: ours, what: "credentials \(method.rawValue)")
        guard let data = answer["data"] else { throw CredentialsError(.refused, "\(url) answered without credentials") }
        do { return try Credentials(data) } catch { throw CredentialsError(.refused, "\(url) answered with unusable credentials: \(error.message)") }
    }

    private func call(
        _ method: HTTPMethod,
        _ url: String,
        token: String,
        body: JSONValue? = nil,
        what: String
    ) async throws(CredentialsError)
        -> JSONValue
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Token \(token)")
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

/// An OCPI 2.1.1 Credentials object (`credentials.md` §2.1), checked.
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

    /// Parses and checks (C-08, C-09): OCPI 2001 material when it throws.
    public init(_ json: JSONValue) throws(CredentialsError) {
        func field(_ name: String, max: Int) throws(CredentialsError) -> String {
            guard let value = json[name]?.stringValue, !value.isEmpty else { throw CredentialsError(.refused, "\(name) is required") }
            guard value.count <= max else { throw CredentialsError(.refused, "\(name) is longer than \(max) characters") }
            return value
        }
        token = try field("token", max: 64)
        url = try field("url", max: 255)
        partyId = try field("party_id", max: 3)
        countryCode = try field("country_code", max: 2)
        guard let name = json["business_details"]?["name"]?.stringValue, !name.isEmpty else {
            throw CredentialsError(.refused, "business_details.name is required")
        }
        businessName = name
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
            throw CredentialsError(.refused, "url must be an http(s) URL of the versions endpoint")
        }
    }

    public var json: JSONValue {
        .object([
            "token": .string(token), "url": .string(url), "party_id": .string(partyId), "country_code": .string(countryCode),
            "business_details": .object(["name": .string(businessName)]),
        ])
    }
}
