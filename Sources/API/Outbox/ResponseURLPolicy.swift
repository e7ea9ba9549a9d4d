import Foundation

/// Where the ledger sends its IOP token: a `response_url` is called with it, so a command must not
/// be able to point it anywhere (docs/security.md). Allowed are the IOP's host (`--iop-url`) and the
/// hosts the operator lists (`--response-url-hosts`); with neither, any public host. Loopback,
/// private, link-local and other special addresses — in every spelling the resolver accepts
/// (`2130706433`, `0x7f000001`, `127.1`, `[::ffff:127.0.0.1]`, `localhost`) — only when listed.
///
/// Host names are compared, not resolved: a public name that resolves to a private address is not
/// caught here (a listed IOP host is the defence; the network's egress rules the other).
public struct ResponseURLPolicy: Sendable {
    /// Lower-cased hosts, as `OutboundURL.host` spells them.
    public let allowedHosts: Set<String>

    public init(iopURL: String?, allowedHosts: [String]) {
        let iopHost = iopURL.flatMap { try? OutboundURL($0) }?.host
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() } + (iopHost.map { [$0] } ?? []))
    }

    /// This policy with `hosts` allowed too (a registered IOP's endpoints).
    func allowing(_ hosts: [String]) -> ResponseURLPolicy {
        hosts.isEmpty ? self : ResponseURLPolicy(allowedHosts: allowedHosts.union(hosts.map { $0.lowercased() }))
    }

    private init(allowedHosts: Set<String>) { self.allowedHosts = allowedHosts }

    /// The URL, if the ledger may call it with its token.
    public func check(_ text: String) throws(OutboundURL.Refused) -> OutboundURL {
        let url = try OutboundURL(text)
        if allowedHosts.contains(url.host) { return url }
        guard allowedHosts.isEmpty else {
            throw OutboundURL.Refused(
                description:
                    "response_url host \(url.host) is not one this CPO sends to (\(allowedHosts.sorted().joined(separator: ", "))): the IOP's, or --response-url-hosts"
            )
        }
        if let kind = Self.specialKind(of: url.host) {
            throw OutboundURL.Refused(
                description: "response_url host \(url.host) is a \(kind) address: refused unless listed in --response-url-hosts"
            )
        }
        return url
    }

    /// What a non-public host is (`loopback`, `private`, …), or `nil` for a public one or a name.
    static func specialKind(of host: String) -> String? {
        if host == "localhost" || host.hasSuffix(".localhost") { return "loopback" }
        var v4 = in_addr()
        // inet_aton reads every legacy spelling (decimal, hex, octal, short forms), as resolvers do.
        if inet_aton(host, &v4) != 0 { return kind(ipv4: UInt32(bigEndian: v4.s_addr)) }
        guard host.hasPrefix("["), host.hasSuffix("]") else { return nil }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &v6) == 1 else { return "malformed" }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {  // ::ffff:a.b.c.d
            return kind(ipv4: bytes[12...].reduce(0) { $0 << 8 | UInt32($1) })
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return bytes[15] == 1 ? "loopback" : "unspecified" }
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return "link-local" }
        if bytes[0] & 0xFE == 0xFC { return "private" }
        if bytes[0] == 0xFF { return "multicast" }
        return nil
    }

    private static func kind(ipv4 address: UInt32) -> String? {
        func within(_ network: UInt32, _ bits: UInt32) -> Bool { address >> (32 - bits) == network >> (32 - bits) }
        if within(0x7F00_0000, 8) { return "loopback" }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) || within(0x6440_0000, 10) { return "private" }
        if within(0xA9FE_0000, 16) { return "link-local" }
        if within(0x0000_0000, 8) { return "unspecified" }
        if within(0xE000_0000, 4) { return "multicast" }
        if within(0xF000_0000, 4) { return "reserved" }
        return nil
    }
}
