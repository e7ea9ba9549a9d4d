import Foundation

/// `LEDGER_EXIT_WITH_PARENT=<pid>`: a long-running command (`serve`, `demo`) started by a test
/// harness or a supervisor ends when that process is gone — also when it was killed with -9 or
/// crashed, when it could not stop its children itself. Without it a crashed test run left
/// `ledger serve` processes holding ports and ledger files.
///
/// The parent is polled (`getppid()`), not asked for `PR_SET_PDEATHSIG`: that signal follows the
/// *thread* that spawned the child, and the thread that starts a child from a Swift test or
/// server may be a pool thread that ends while the parent lives on.
enum ParentWatch {
    static let variable = "LEDGER_EXIT_WITH_PARENT"

    /// Starts the watch if the variable names a process. SIGKILL on the parent's end: an orphan
    /// has nobody to report to, and the ledger is crash-safe by design (nothing acknowledged is lost).
    static func start() {
        guard let value = ProcessInfo.processInfo.environment[variable], let parent = pid_t(value) else { return }
        let watcher = Thread {
            while getppid() == parent { usleep(200_000) }
            kill(getpid(), SIGKILL)
        }
        watcher.name = "parent-watch"
        watcher.start()
    }
}
