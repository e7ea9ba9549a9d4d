/// The OCPI versions this CPO speaks, side by side on one ledger: 2.1.1 (Gireve's first link)
/// and 2.2.1. A request's version is its URL's (`/ocpi/cpo/2.1.1/…`, `/ocpi/2.2.1/…`); a push's
/// is the IOP link's (`--iop-version`). Events record the version only when it is not 2.1.1, so
/// everything recorded before 2.2.1 was served reads as what it was.
public enum OCPIVersion: String, Sendable, CaseIterable {
    case v211 = "2.1.1"
    case v221 = "2.2.1"

    /// The value events carry: `nil` for 2.1.1.
    public var recorded: String? { self == .v211 ? nil : rawValue }

    /// The version an event names (`nil`: 2.1.1); `nil` for one this build does not know.
    public init?(recorded: String?) {
        guard let recorded else {
            self = .v211
            return
        }
        self.init(rawValue: recorded)
    }
}
