import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import NIOHTTP1
import Synchronization

/// The IOP's side of the OCPI credentials handshake, mounted on the `IOPStandIn`: its versions
/// and 2.1.1 (and 2.2.1) details under `/ocpi/emsp`, and its credentials endpoint, which — as
/// Gireve's does — reads the ledger's versions with the token it was just given before it answers
/// with its own (spec digest §5.3 step 4a, C-16 step 5).
final class IOPRegistrar: Sendable {
    /// Every handshake request the stand-in received: versions, details, credentials.
    let received = Inbox<IOPStandIn.Received>()
    /// The HTTP status of each call back to the ledger's versions URL made while answering a
    /// credentials POST/PUT (200 when the ledger accepted the token it offered).
    let callbacks = Inbox<Int>()
    /// The token the IOP gives in its next credentials answer, then the one after, ….
    let issuedTokens = Mutex<[String]>(["iop-token-C1", "iop-token-C2", "iop-token-C3"])
    /// What its versions list offers (C-06) and which modules its details list (C-07).
    let versions = Mutex<[String]>(["2.1.1"])
    let modules = Mutex<[String]>(["cdrs", "commands", "credentials", "locations", "sessions", "tariffs", "tokens"])

    /// The answer to a handshake request (versions, details, credentials POST/PUT), or `nil` for
    /// any other request. `base`: the stand-in's URL.
    func respond(to request: Request, body: JSONValue?, base: String) async -> Response? {
        switch (request.method, request.uri.path) {
        case (.get, "/ocpi/emsp/versions"):
            note(request, body: nil)
            let list = versions.withLock { $0 }.map { version -> JSONValue in
                .object(["version": .string(version), "url": .string("\(base)/ocpi/emsp/\(version)")])
            }
            return Self.ok(.array(list))
        case (.get, "/ocpi/emsp/2.1.1"):
            note(request, body: nil)
            let endpoints = modules.withLock { $0 }.map { module -> JSONValue in
                .object(["identifier": .string(module), "url": .string("\(base)/ocpi/emsp/2.1.1/\(module)")])
            }
            return Self.ok(.object(["version": .string("2.1.1"), "endpoints": .array(endpoints)]))
        case (.get, "/ocpi/emsp/2.2.1"):
            // A hub's 2.2.1 details: a module once per role; the ledger must pick the right one.
            note(request, body: nil)
            let listed: [(String, String)] = [
                ("credentials", "SENDER"), ("sessions", "SENDER"), ("sessions", "RECEIVER"), ("cdrs", "RECEIVER"), ("locations", "RECEIVER"),
                ("tariffs", "RECEIVER"), ("tokens", "SENDER"), ("commands", "SENDER"),
            ]
            let endpoints = listed.map { module, role -> JSONValue in
                let url =
                    "\(base)/ocpi/\(role == "RECEIVER" || module == "tokens" || module == "credentials" ? "emsp" : "hub-sender")/2.2.1/\(module)"
                return .object(["identifier": .string(module), "role": .string(role), "url": .string(url)])
            }
            return Self.ok(.object(["version": .string("2.2.1"), "endpoints": .array(endpoints)]))
        case (.post, "/ocpi/emsp/2.1.1/credentials"), (.put, "/ocpi/emsp/2.1.1/credentials"), (.post, "/ocpi/emsp/2.2.1/credentials"):
            note(request, body: body)
            let v221 = request.uri.path.contains("/2.2.1/")
            guard let ours = body?["url"]?.stringValue, let token = body?["token"]?.stringValue, !v221 || body?["roles"] != nil else {
                return Self.ok(.null, code: 2001)
            }
            // Reads the ledger's versions with the token it offered, while the ledger waits.
            var check = HTTPClientRequest(url: ours)
            check.headers.add(name: "Authorization", value: "Token \(v221 ? Data(token.utf8).base64EncodedString() : token)")
            let answered = try? await HTTPClient.shared.execute(check, timeout: .seconds(5))
            let status = answered.map { Int($0.status.code) } ?? 0
            callbacks.append(status)
            guard status == 200 else { return Self.ok(.null, code: 3001) }
            let issued = issuedTokens.withLock { $0.removeFirst() }
            if v221 {
                let hub: JSONValue = .object([
                    "role": .string("HUB"), "party_id": .string("107"), "country_code": .string("FR"),
                    "business_details": .object(["name": .string("GIREVE")]),
                ])
                return Self.ok(.object(["token": .string(issued), "url": .string("\(base)/ocpi/emsp/versions"), "roles": .array([hub])]))
            }
            return Self.ok(
                .object([
                    "token": .string(issued), "url": .string("\(base)/ocpi/emsp/versions"), "party_id": .string("107"),
                    "country_code": .string("FR"), "business_details": .object(["name": .string("GIREVE")]),
                ])
            )
        default:
            return nil
        }
    }

    private func note(_ request: Request, body: JSONValue?) {
        received.append(
            IOPStandIn.Received(
                method: request.method.rawValue,
                path: request.uri.path,
                authorization: request.headers[.authorization],
                body: body,
                refusedWith: nil
            )
        )
    }

    private static func ok(_ data: JSONValue, code: Int = 1000) -> Response {
        let envelope = JSONValue.object(["data": data, "status_code": .number(String(code)), "timestamp": .string("2026-01-01T00:00:00Z")])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: envelope.canonicalText)))
    }
}
