import Foundation

/// The open-file limit of this process. Every charger holds a socket, and a shell's default soft
/// limit (often 1,024) would refuse the 1,025th charger while the hard limit allows far more:
/// `ledger serve` raises the soft limit to the hard one at start, as servers do, and says so.
public enum FileLimit {
    /// Raises the soft limit to the hard limit; returns the limit now in force.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(raised.rlim_cur) }
        }
        return Int(limit.rlim_cur)
    }
}
