import API
import Foundation
import Ledger

/// What a swarm charger says, in its OCPP version: the payloads of the messages the benchmark
/// times. Every charger has one connector (1.6) or EVSE 1 (2.0.1) and its own token.
public struct SwarmMessages: Sendable {
    public let version: OCPPVersion
    /// The charger's number in the swarm: its token and its transaction ids are made from it.
    public let index: Int

    public init(version: OCPPVersion, index: Int) {
        self.version = version
        self.index = index
    }

    /// The action names as this version spells them, for the report.
    public enum Step: String, CaseIterable, Sendable {
        case boot = "BootNotification"
        case status = "StatusNotification"
        case start = "StartTransaction"
        case meter = "MeterValues"
        case stop = "StopTransaction"
    }

    /// The action a step is sent as: 2.0.1 starts, samples and stops with TransactionEvent.
    public func action(_ step: Step) -> String {
        switch (version, step) {
        case (.v201, .start), (.v201, .meter), (.v201, .stop): "TransactionEvent"
        default: step.rawValue
        }
    }

    var token: String { String(format: "%08X", 0x5A00_0000 + index) }

    var transactionId201: String { "SW-\(index)" }

    public var boot: String {
        switch version {
        case .v16: #"{"chargePointVendor":"Swarm","chargePointModel":"Lean","chargePointSerialNumber":"SW-\#(index)"}"#
        case .v201: #"{"reason":"PowerUp","chargingStation":{"model":"Lean","vendorName":"Swarm","serialNumber":"SW-\#(index)"}}"#
        }
    }

    public func status(at time: String) -> String {
        switch version {
        case .v16: #"{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"\#(time)"}"#
        case .v201: #"{"timestamp":"\#(time)","connectorStatus":"Available","evseId":1,"connectorId":1}"#
        }
    }

    public func start(at time: String) -> String {
        switch version {
        case .v16: #"{"connectorId":1,"idTag":"\#(token)","meterStart":0,"timestamp":"\#(time)"}"#
        case .v201:
            transactionEvent(
                "Started",
                trigger: "Authorized",
                seqNo: 0,
                at: time,
                wh: 0,
                extra: #","idToken":{"idToken":"\#(token)","type":"ISO14443"}"#
            )
        }
    }

    /// The `round`-th sample of the transaction (the register grows by 1 kWh a round).
    public func meter(transactionId: String, round: Int, at time: String) -> String {
        switch version {
        case .v16:
            #"{"connectorId":1,"transactionId":\#(transactionId),"meterValue":[{"timestamp":"\#(time)","sampledValue":[{"value":"\#(round * 1000)","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}"#
        case .v201:
            transactionEvent("Updated", trigger: "MeterValuePeriodic", seqNo: round, at: time, wh: round * 1000)
        }
    }

    public func stop(transactionId: String, rounds: Int, at time: String) -> String {
        let wh = (rounds + 1) * 1000
        return switch version {
        case .v16: #"{"transactionId":\#(transactionId),"meterStop":\#(wh),"timestamp":"\#(time)","reason":"Local"}"#
        case .v201: transactionEvent("Ended", trigger: "StopAuthorized", seqNo: rounds + 1, at: time, wh: wh, stoppedReason: "Local")
        }
    }

    /// The transaction id a start's answer gives (1.6), or the station's own (2.0.1).
    public func transactionId(fromStartAnswer payload: String) throws -> String {
        guard version == .v16 else { return transactionId201 }
        guard let id = try JSONValue(parsing: Array(payload.utf8))["transactionId"]?.int64Value else {
            throw SimulationError("StartTransaction's answer has no transactionId: \(payload)")
        }
        return String(id)
    }

    private func transactionEvent(
        _ type: String,
        trigger: String,
        seqNo: Int,
        at time: String,
        wh: Int,
        extra: String = "",
        stoppedReason: String? = nil
    ) -> String {
        let reason = stoppedReason.map { #","stoppedReason":"\#($0)""# } ?? ""
        return
            #"{"eventType":"\#(type)","timestamp":"\#(time)","triggerReason":"\#(trigger)","seqNo":\#(seqNo),"transactionInfo":{"transactionId":"\#(transactionId201)","chargingState":"\#(type == "Ended" ? "EVConnected" : "Charging")"\#(reason)},"evse":{"id":1,"connectorId":1},"meterValue":[{"timestamp":"\#(time)","sampledValue":[{"value":\#(wh),"measurand":"Energy.Active.Import.Register"}]}]\#(extra)}"#
    }
}
