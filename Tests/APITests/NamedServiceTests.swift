import ServiceLifecycle
import Testing

@testable import API

@Suite("Services in the server's service group")
struct NamedServiceTests {
    /// Holds what the ledger's services hold: a secret and a large registry.
    struct Holder: Service {
        let token = "iop-secret-token"
        let chargers = (0..<1_000).map { "CP-\($0)" }
        func run() async throws {}
    }

    @Test("a service is named by its type, not by a description of what it holds (no token, no registry)")
    func namedByType() {
        let named = ServiceGroupConfiguration.ServiceConfiguration(named: Holder())
        #expect(named.serviceName == "Holder")
        // What the plain initializer does, and why it is not used (see `init(named:)`).
        let described = ServiceGroupConfiguration.ServiceConfiguration(service: Holder())
        #expect(described.serviceName.contains("iop-secret-token") && described.serviceName.contains("CP-999"))
    }
}
