import Ledger

/// An OCPI response (2.1.1 and 2.2.1 share the envelope): the HTTP status and the envelope
/// `{"data": …, "status_code": …, "status_message": …, "timestamp": …}`.
public struct OCPIResponse: Sendable, Equatable {
    public var httpStatus: Int
    public var statusCode: Int
    public var statusMessage: String?
    /// The `data` member, already JSON; absent for errors.
    public var data: JSONValue?

    public static func success(_ data: JSONValue?, message: String? = "Success") -> OCPIResponse {
        OCPIResponse(httpStatus: 200, statusCode: 1000, statusMessage: message, data: data)
    }

    /// A CommandResponse: `{"result": …}` and nothing else (2.1.1 has no `timeout` or `message`).
    public static func command(_ result: CommandResult) -> OCPIResponse {
        .success(.object(["result": .string(result.rawValue)]))
    }

    /// 2001: invalid or missing parameters.
    public static func invalid(_ message: String) -> OCPIResponse {
        OCPIResponse(httpStatus: 200, statusCode: 2001, statusMessage: message, data: nil)
    }

    /// 2003: unknown location (or an EVSE not in it).
    public static func unknownLocation(_ message: String) -> OCPIResponse {
        OCPIResponse(httpStatus: 200, statusCode: 2003, statusMessage: message, data: nil)
    }

    /// HTTP 404 with 2003: a GET of an object this CPO does not have (OCPI 2.1.1 `status_codes`).
    public static func notFound(_ message: String) -> OCPIResponse {
        OCPIResponse(httpStatus: 404, statusCode: 2003, statusMessage: message, data: nil)
    }

    /// HTTP 400 with an envelope: the body is not JSON.
    public static func malformed(_ message: String) -> OCPIResponse {
        OCPIResponse(httpStatus: 400, statusCode: 2000, statusMessage: message, data: nil)
    }

    /// HTTP 401: missing or wrong token. Not recorded (a stranger must not grow the ledger).
    public static let unauthorized = OCPIResponse(
        httpStatus: 401,
        statusCode: 2000,
        statusMessage: "missing or invalid Authorization: Token",
        data: nil
    )

    /// 3000: the server could not record the request; nothing was accepted.
    public static func serverError(_ message: String) -> OCPIResponse {
        OCPIResponse(httpStatus: 503, statusCode: 3000, statusMessage: message, data: nil)
    }

    /// The envelope's JSON text at `time` (OCPI DateTime: UTC, seconds, `Z`).
    public func body(at time: Timestamp) -> String {
        var members: [String: JSONValue] = [
            "status_code": .number(String(statusCode)),
            "timestamp": .string(time.ocpiDateTime),
        ]
        if let statusMessage { members["status_message"] = .string(statusMessage) }
        if let data { members["data"] = data }
        return JSONValue.object(members).canonicalText
    }
}

/// OCPI 2.1.1 CommandResponseType: the synchronous answer and the asynchronous result alike.
public enum CommandResult: String, Sendable, Codable {
    case accepted = "ACCEPTED"
    case rejected = "REJECTED"
    case notSupported = "NOT_SUPPORTED"
    case timeout = "TIMEOUT"
    case unknownSession = "UNKNOWN_SESSION"
}

extension Timestamp {
    /// `2024-03-12T09:57:12Z`: OCPI's DateTime, seconds precision, always UTC.
    public var ocpiDateTime: String {
        let text = iso8601
        return String(text.prefix(19)) + "Z"
    }
}
