import ServiceLifecycle

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// `service`, named by its type for the service group's logs and errors.
    ///
    /// The plain `init(service:)` names a service `"\(service)"`: a reflection of everything it
    /// holds. Ours hold the locations registry, so a ledger serving 10,000 chargers spent about
    /// 2 CPU-seconds at every start describing it (a fifth of the CPU of a 10,000-charger boot
    /// storm, docs/performance.md) and kept megabytes of text per service; and the outbox's
    /// description held the IOP token, which the group would have logged with any error of its.
    init(named service: some Service, successTerminationBehavior: TerminationBehavior = .cancelGroup) {
        self.init(service: service, successTerminationBehavior: successTerminationBehavior, serviceName: String(describing: type(of: service)))
    }
}
