import Foundation

/// `LEDGER_EXIT_WITH_PARENT=<pid>`: a long-running command (`serve`, `demo`) started by a test
/// harness or a supervisor (`<pid>`) ends when its parent process is gone — also when that was
/// killed with -9 or crashed, and could not stop its children itself. Without it a crashed test
/// run left `ledger serve` processes holding ports and ledger files. The parent watched is the
/// one this process started under (`<pid>` itself, or a wrapper such as `timeout` it runs
/// through); a `<pid>` already gone at start ends it at once.
///
/// The parent is polled (`getppid()`), not asked for `PR_SET_PDEATHSIG`: that signal follows the
/// *thread* that spawned the child, and the thread that starts a child from a Swift test or
/// server may be a pool thread that ends while the parent lives on.
enum ParentWatch {
    static let variable = "LEDGER_EXIT_WITH_PARENT"

    /// Starts the watch if the variable names a process. SIGKILL on the parent's end: an orphan
    /// has nobody to report to, and the ledger is crash-safe by design (nothing acknowledged is lost).
    static func start() {
        guard let value = ProcessInfo.processInfo.environment[variable], let owner = pid_t(value) else { return }
        let parent = getppid()
        guard kill(owner, 0) == 0 || errno != ESRCH else {
            kill(getpid(), SIGKILL)
            return
        }
        let watcher = Thread {
            while getppid() == parent { usleep(200_000) }
            kill(getpid(), SIGKILL)
        }
        watcher.name = "parent-watch"
        watcher.start()
    }
}
