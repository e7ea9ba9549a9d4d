/// A configuration file (`--locations`, `--tariffs`) that cannot be used, with every problem found
/// and where: the operator fixes them all in one go, and nothing was recorded.
public struct RefusedFile: Error, CustomStringConvertible, Sendable {
    /// What the file holds: `tariffs`, `locations`.
    public let kind: String
    public let file: String
    public let problems: [String]

    public init(kind: String, file: String, problems: [String]) {
        self.kind = kind
        self.file = file
        self.problems = problems
    }

    /// Stable, for scripts: `tariffs_refused`, `locations_refused`.
    public var code: String { "\(kind)_refused" }

    public var description: String {
        "\(kind) file \(file) refused, nothing recorded (fix and run again):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
