import Foundation
import Ledger

/// OCPI request bodies: the spec's test vectors (`Vectors/*.json`, copied verbatim from
/// ocpi-2.1.1.md §8 and gireve-iop.md §11) with `response_url` pointed at the loopback stand-in,
/// since nothing may leave this machine.
enum Requests {
    static func vector(_ id: String, responseURL: String? = nil, replacing changes: [String: JSONValue?] = [:]) throws -> String {
        guard let url = Bundle.module.url(forResource: "Vectors/\(id)", withExtension: "json") else {
            throw WaitTimedOut(what: "vector \(id) in the test bundle", items: "")
        }
        guard case .object(var members) = try JSONValue(parsing: Data(contentsOf: url)) else { return "" }
        if let responseURL { members["response_url"] = .string(responseURL) }
        for (key, value) in changes { members[key] = value }
        return JSONValue.object(members).canonicalText
    }
}
