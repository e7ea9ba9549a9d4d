import Foundation

/// A URL the ledger will call, carrying the CPO's token: `http` or `https`, a host, a port that
/// exists, and no user name or password in it. Checked when a URL arrives (a command's
/// `response_url`, refused with 2001) and again before every delivery, so nothing the HTTP client
/// cannot take reaches it: a `response_url` with port 99999 once trapped the process inside the
/// client's socket-address code, on every restart, from the outbox.
public struct OutboundURL: Sendable, Equatable {
    /// Lower-cased; an IPv6 literal keeps its brackets.
    public let host: String
    public let port: Int

    /// Why a URL cannot be called: a sentence for OCPI's `status_message` and the operator.
    public struct Refused: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws(Refused) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Refused(description: "\(Self.shown(text)) is not a URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw Refused(description: "\(Self.shown(text)) is not an http or https URL")
        }
        guard let host = components.host?.lowercased(), !host.isEmpty else {
            throw Refused(description: "\(Self.shown(text)) names no host")
        }
        guard components.user == nil, components.password == nil else {
            throw Refused(description: "a URL the ledger calls must not carry a user name or password")
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else {
            throw Refused(description: "\(Self.shown(text)) names port \(port), which does not exist (1 to 65535)")
        }
        self.host = host
        self.port = port
    }

    /// The URL as messages show it: bounded, printable, and never a user-info part (a password).
    private static func shown(_ text: String) -> String {
        guard !text.contains("@") else { return "the URL" }
        let visible = text.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? String($0) : "?" }.joined()
        return visible.count > 120 ? "\(visible.prefix(120))…" : visible
    }
}
