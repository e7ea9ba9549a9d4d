import API
import ArgumentParser
import Ledger

struct ChargerKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charger-key",
        abstract: "Make an OCPP security profile 1 key for a charge point, and the hash the server keeps.",
        discussion: """
            Configure the key on the charger as its AuthorizationKey (OCPP 1.6), or on a 2.0.1 station \
            as its SecurityCtrlr.BasicAuthPassword (40 characters: within 2.0.1's 16–40); it logs in \
            with HTTP Basic, its id as user, the key as password. Put the hash in the charge point's \
            "ocpp" object in the locations file. The key itself is printed once and stored nowhere.
            """
    )

    @Argument(help: "The charge point id, as in the locations file.")
    var chargePointId: String

    func run() {
        let key = ChargerPassword.generateKey()
        let hash = ChargerPassword.hash(chargePointId: chargePointId, key: key)
        print("AuthorizationKey for \(chargePointId) (set it on the charger; it is not stored): \(key)")
        print("In the locations file, in each EVSE of \(chargePointId):")
        print(
            JSONValue.object([
                "ocpp": .object([
                    "charge_point_id": .string(chargePointId), "connector_id": .number("1"),
                    "password_sha256": .string(hash),
                ])
            ]).canonicalText
        )
    }
}
