import Foundation
import LedgerTesting

/// What some suites need beyond Swift, and the one line a test skipped without it prints: Python's
/// `ocpp` stack (the charger simulator, the metrics parser, the soak), Chromium (the ops page in a
/// real browser), and a PostgreSQL server (the PostgreSQL half of the store-parameterized suites).
///
/// `scripts/test` — the README's test command, and CI's — installs and starts them. A plain
/// `swift test` on a machine without them skips what needs them, each with that line. In CI
/// (`CI=true`) nothing is skipped: a missing prerequisite fails the tests that need it, so a green
/// run there always ran everything.
public enum Prerequisite: String, Sendable, CaseIterable {
    case python
    case chromium
    case postgres

    /// Whether a missing prerequisite fails (CI) rather than skips.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// `nil` when it is there; otherwise what is missing, what it skips and how to get it.
    public var missing: String? {
        get async {
            switch self {
            case .python: await Self.pythonMissing
            case .chromium:
                Self.onPath("chromium")
                    ? nil : "Chromium is not installed (apt-get install chromium, or run scripts/test): the ops page tests are skipped"
            case .postgres: Self.postgresMissing
            }
        }
    }

    /// PostgreSQL is there when `CHARGELEDGER_POSTGRES_URL` names a server (`scripts/test` starts
    /// one of its own) — or in CI, where its absence must fail, not shrink, the run.
    public static var postgresMissing: String? {
        guard !StoreKind.available.contains(.postgres) else { return nil }
        return "CHARGELEDGER_POSTGRES_URL is not set: the PostgreSQL half of the Ledger, Projections and API suites is skipped "
            + "(scripts/test starts a private server; apt-get install postgresql)"
    }

    /// Checked once per test process: importing the packages is the only proof they work.
    private static let pythonCheck = Task<String?, Never> {
        let packages = "ocpp==2.1.0 websockets==17.4 prometheus_client==0.26.0"
        guard onPath("python3") else {
            return "python3 is not installed (apt-get install python3, or run scripts/test): the tests with a charger are skipped"
        }
        let imported = try? await ChildProcess.run("python3", ["-c", "import ocpp, websockets, prometheus_client"])
        guard imported?.status == 0 else {
            return "Python's ocpp, websockets and prometheus_client are not installed (pip install \(packages), or run scripts/test): "
                + "the tests with a charger, the metrics parser and the soak are skipped"
        }
        return nil
    }

    private static var pythonMissing: String? {
        get async { await pythonCheck.value }
    }

    private static func onPath(_ command: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
    }
}
