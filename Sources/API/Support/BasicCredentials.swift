import Foundation

/// `Authorization: Basic base64(user:password)` (RFC 7617), as operators on the ops page and
/// charge points on security profile 1 log in.
struct BasicCredentials {
    let user: String
    let password: String

    /// `nil` for any other scheme or an undecodable value.
    init?(authorization header: String?) {
        guard let header, header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
            let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return nil }
        user = String(credentials[..<colon])
        password = String(credentials[credentials.index(after: colon)...])
    }
}
