extension Swarm {
    /// The locations file for a swarm of `count` chargers: one location per ten chargers, one EVSE
    /// per charger (connector 1, priced by the examples' AC tariff `TARIFF-AC-22`), charger `i`
    /// named `chargerId(i)` and wired as an OCPP 2.0.1 station (EVSE 1) when `i` is a multiple
    /// of `v201Every`.
    public static func locations(count: Int, v201Every: Int) -> String {
        let evses = (0..<count).map { index in
            let id = chargerId(index)
            let version = v201Every > 0 && index % v201Every == 0 ? #","version":"2.0.1","evse_id":1"# : ""
            return
                #"{"uid":"EVSE-\#(id)","evse_id":"FR*ABC*E\#(id.filter(\.isNumber))","status":"AVAILABLE","capabilities":["REMOTE_START_STOP_CAPABLE","RFID_READER"],"connectors":[{"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE","voltage":230,"amperage":32,"tariff_id":"TARIFF-AC-22","last_updated":"2026-01-01T00:00:00Z"}],"last_updated":"2026-01-01T00:00:00Z","ocpp":{"charge_point_id":"\#(id)","connector_id":1\#(version)}}"#
        }
        let locations = stride(from: 0, to: count, by: 10).map { first in
            #"{"id":"LOC-SW-\#(first / 10)","type":"ON_STREET","name":"Swarm \#(first / 10)","address":"1 Rue Exemple","city":"Paris","postal_code":"75004","country":"FRA","coordinates":{"latitude":"48.856613","longitude":"2.352222"},"time_zone":"Europe/Paris","operator":{"name":"ABC Charge"},"owner":{"name":"ABC Charge"},"evses":[\#(evses[first..<min(first + 10, count)].joined(separator: ","))],"last_updated":"2026-01-01T00:00:00Z"}"#
        }
        return "[\(locations.joined(separator: ",\n"))]"
    }
}
