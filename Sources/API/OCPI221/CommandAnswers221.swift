import Ledger

/// OCPI 2.2.1's two command answers (spec digest §5): the synchronous `CommandResponse`
/// `{result, timeout, message}` — the CPO's own acceptance, whose `TIMEOUT` value is gone and
/// whose `timeout` is required — and the asynchronous `CommandResult` `{result, message}` POSTed
/// to `response_url` with the 2.2.1 result values. The ledger decides a command once, in 2.1.1
/// terms (`CommandPolicy`); these render the decision for a 2.2.1 caller.
enum CommandAnswers221 {
    /// `response` as a 2.2.1 CommandResponse: `timeout` the seconds the eMSP should wait for the
    /// result (the charger's answer deadline) when accepted, else 0; a refusal says why in
    /// `message` (`reason`, or the error's status message). An unknown location (2003) still carries `{REJECTED, timeout}` (V2-10). Other
    /// errors (2001, 3000) carry no `data`, as OCPI allows for non-1xxx answers.
    static func response(_ response: OCPIResponse, timeoutSeconds: Int, reason: String? = nil) -> OCPIResponse {
        var response = response
        let result: String
        if let decided = response.data?["result"]?.stringValue {
            // 2.1.1's TIMEOUT is no 2.2.1 response value (X2-06): never answered at once anyway.
            result = responseTypes.contains(decided) ? decided : CommandResult.rejected.rawValue
        } else if response.statusCode == 2003 {
            result = CommandResult.rejected.rawValue
        } else {
            return response
        }
        var data: [String: JSONValue] = [
            "result": .string(result),
            "timeout": .number(String(result == CommandResult.accepted.rawValue ? timeoutSeconds : 0)),
        ]
        if let message = reason ?? (response.statusCode != 1000 ? response.statusMessage : nil) { data["message"] = displayText(message) }
        response.data = .object(data)
        return response
    }

    /// The 2.2.1 `CommandResult` for what the charger did (or did not) answer.
    static func result(_ result: CommandResult) -> JSONValue {
        let (value, message): (String, String?) =
            switch result {
            case .accepted: ("ACCEPTED", nil)
            case .rejected: ("REJECTED", "The charge point refused the command.")
            case .notSupported: ("NOT_SUPPORTED", "The charge point does not support this command.")
            case .timeout: ("TIMEOUT", "The charge point did not answer within the announced timeout.")
            case .unknownSession: ("FAILED", "The session is not known to the charge point.")
            }
        var members: [String: JSONValue] = ["result": .string(value)]
        if let message { members["message"] = displayText(message) }
        return .object(members)
    }

    /// The values a 2.2.1 CommandResponse may carry (no `TIMEOUT`: spec digest X2-06).
    static let responseTypes: Set<String> = ["ACCEPTED", "NOT_SUPPORTED", "REJECTED", "UNKNOWN_SESSION"]
    /// The values a 2.2.1 CommandResult may carry (no `UNKNOWN_SESSION`: spec digest X2-07).
    static let resultTypes: Set<String> = [
        "ACCEPTED", "CANCELED_RESERVATION", "EVSE_OCCUPIED", "EVSE_INOPERATIVE", "FAILED", "NOT_SUPPORTED", "REJECTED", "TIMEOUT",
        "UNKNOWN_RESERVATION",
    ]

    /// An OCPI `DisplayText` list with one English text.
    static func displayText(_ text: String) -> JSONValue {
        .array([.object(["language": .string("en"), "text": .string(String(text.prefix(512)))])])
    }
}
