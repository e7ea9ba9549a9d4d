import Foundation

/// A problem in a tariff or a session description, with where it is ("elements[2].price_components[0].price").
public struct TariffProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// JSON path of the offending value, in the OCPI field names; empty for the document itself.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        path.isEmpty ? reason : "\(path): \(reason)"
    }
}

extension TariffProblem {
    /// What a `JSONDecoder` refused, said at the coding path it refused it (`elements[1].price_components[0].type`).
    init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: Self.path(context.codingPath), reason: "wrong type: expected \(Self.kind(of: type))")
        case .valueNotFound(let type, let context):
            self.init(path: Self.path(context.codingPath), reason: "missing value: expected \(Self.kind(of: type)), found null")
        case .keyNotFound(let key, let context):
            self.init(path: Self.path(context.codingPath + [key]), reason: "missing field")
        case .dataCorrupted(let context):
            let reason = context.codingPath.isEmpty ? "not valid JSON: \(context.debugDescription)" : context.debugDescription
            self.init(path: Self.path(context.codingPath), reason: reason)
        @unknown default:
            self.init(path: "", reason: "\(error)")
        }
    }

    /// `elements[1].price_components[0].type`: keys joined by dots, array positions in brackets.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    /// The JSON kind a Swift type is read from, as a person editing the JSON would say it.
    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is Decimal.Type, is Int.Type, is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "\(type)"
        }
    }
}
