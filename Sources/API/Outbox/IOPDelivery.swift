import Domain
import Foundation
import Ledger

extension IOPEndpoint {
    /// A push to the IOP, scheduled in the outbox in this link's version: the one place such a
    /// delivery is made. On OCPI 2.2.1 it goes out from this CPO to the IOP (the routing headers
    /// Gireve requires on every functional call) under an `X-Correlation-ID` — the request's that
    /// caused it when there is one, else its own — recorded before it leaves.
    func delivery(
        id: String,
        kind: DeliveryKind,
        target: String,
        method: String,
        url: String,
        body: JSONValue,
        sessionId: String? = nil,
        cdrId: String? = nil,
        correlationId: String? = nil
    ) -> DeliveryScheduled {
        DeliveryScheduled(
            deliveryId: id,
            kind: kind,
            target: target,
            method: method,
            url: url,
            body: body.canonicalText,
            sessionId: sessionId,
            cdrId: cdrId,
            ocpiVersion: version.recorded,
            exchange: version == .v221 ? outbound(correlationId: correlationId) : nil
        )
    }

    /// The ids and routing of a 2.2.1 request from this CPO to the IOP.
    func outbound(correlationId: String?) -> OCPIExchange {
        OCPIExchange(correlationId: correlationId ?? UUID().uuidString.lowercased(), from: party, to: hub)
    }
}
