import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

@Suite("Replay")
struct ReplayTests {
    /// Runs `body` on a fresh ledger of `kind` into which the golden log `name` was imported.
    static func withImportedLedger<T>(_ name: String, kind: StoreKind, _ body: (ScratchLedger) async throws -> T) async throws -> T {
        try await kind.withScratchLedger { ledger in
            let result = try await CLI.ledger("import", try GoldenLogTests.golden(name, "ndjson").path(), "--db", ledger.db)
            #expect(result.status == 0, "\(result.stderr)")
            return try await body(ledger)
        }
    }

    /// Imports a golden log into a fresh ledger with projections.
    static func importedLedger(_ name: String, in directory: TemporaryDirectory) async throws -> String {
        let path = directory.path("\(name).sqlite")
        let result = try await CLI.ledger("import", try GoldenLogTests.golden(name, "ndjson").path(), "--db", path)
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    @Test("rebuilding twice gives byte-identical rows, however much is spilled from memory")
    func deterministic() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: try await Self.importedLedger("dispute_two_authorizations_three_cdrs", in: directory))
        var dumps: [String] = []
        // The second round holds at most 2 states per projection: every state is spilled and reloaded.
        for (round, capacity) in [8192, 2].enumerated() {
            let database = try Database.open(path: directory.path("rebuild-\(round).sqlite"), readModels: ProjectionEngine())
            let rebuild = try ProjectionRebuild(into: database, capacity: capacity)
            _ = try await rebuild.run(from: store, pageSize: 7)
            try rebuild.finish()
            dumps.append(try ProjectionDump.json(database).canonicalText)
        }
        await store.close()
        #expect(dumps[0] == dumps[1])
        #expect(dumps[0].contains("session_with_several_cdrs"))
    }

    @Test("a rebuilt database has every index a migrated one has (they are set aside while rows go in)")
    func indexesRestored() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEventStore(path: try await Self.importedLedger("remote_start", in: directory))
        let schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        let migrated = try Database.open(path: directory.path("migrated.sqlite"), readModels: ProjectionEngine()).rows(schema)
        let database = try Database.open(path: directory.path("rebuilt.sqlite"), readModels: ProjectionEngine())
        let rebuild = try ProjectionRebuild(into: database)
        _ = try await rebuild.run(from: store)
        try rebuild.finish()
        await store.close()
        #expect(try database.rows(schema) == migrated)
        #expect(migrated.contains { $0[1].text == "sessions_by_authorization" })
    }

    @Test("a row that cannot be written stops the rebuild with its error, however far the fold has gone on")
    func unwritableRow() async throws {
        try await SQLiteEventStore.withTemporary { store, directory in
            // 1e400 reads as infinity, which no row can hold: its CDR's row cannot be encoded.
            let cdr =
                #"{"auth_id":"A","auth_method":"WHITELIST","cdr_id":"CDR-1","charging_periods":[],"currency":"EUR","evse_uid":"E","location_id":"L","session_id":"S","start_date_time":"2024-03-12T10:00:00.000Z","stop_date_time":"2024-03-12T11:00:00.000Z","total_cost":1,"total_energy":1e400,"total_time":1}"#
            _ = try await store.append(
                [try NewEvent(type: "CdrIssued", data: CanonicalJSON(parsing: cdr), metadata: EventMetadata(source: "test"))],
                to: "cdr-CDR-1",
                expectedVersion: .any
            )
            // Later CDRs push it out of memory (capacity 2): its write fails while the fold goes on.
            let time = Timestamp(iso8601: "2024-03-12T10:00:00Z")!
            for index in 0..<40 {
                let event = try EventCoding.newEvent(
                    CdrIssued(
                        cdrId: "CDR-\(index + 2)",
                        sessionId: "S",
                        authorizationId: nil,
                        authId: "A",
                        authMethod: "WHITELIST",
                        locationId: "L",
                        evseUid: "E",
                        currency: "EUR",
                        startDateTime: time,
                        stopDateTime: time,
                        totalEnergy: 1,
                        totalTime: 1,
                        totalCost: 1,
                        chargingPeriods: []
                    ),
                    metadata: EventMetadata(source: "test")
                )
                _ = try await store.append([event], to: "cdr-CDR-\(index + 2)", expectedVersion: .any)
            }
            let rebuild = try ProjectionRebuild(
                into: try Database.open(path: directory.path("rebuilt.sqlite"), readModels: ProjectionEngine()),
                capacity: 2
            )
            await #expect(throws: EncodingError.self) {
                _ = try await rebuild.run(from: store, pageSize: 7)
                try rebuild.finish()
            }
        }
    }

    @Test("replay reports a row changed in a live table", arguments: StoreKind.available)
    func detectsDrift(kind: StoreKind) async throws {
        try await Self.withImportedLedger("remote_start", kind: kind) { ledger in
            try await ledger.administer("UPDATE sessions SET status = 'ACTIVE' WHERE key = 'SES-1'")
            try await ledger.administer("DELETE FROM anomalies WHERE subject = 'commands:cmd-1'")

            let result = try await CLI.ledger("replay", "--db", ledger.db)
            #expect(result.status == 1)
            #expect(result.stdout.contains("sessions: only in live tables: 'SES-1'"), "\(result.stdout)")
            #expect(result.stdout.contains("sessions: only in replay: 'SES-1'"))
        }
    }

    @Test(
        "an unknown event type or malformed data stops replay at its position and leaves the live tables alone",
        arguments: ["unknown type", "malformed data", "newer schema"]
    )
    func unreadableEvent(defect: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await Self.importedLedger("local_rfid", in: directory)
        // Written without projections, as an older or foreign writer would.
        let plain = try SQLiteEventStore(path: path)
        let bad: NewEvent
        switch defect {
        case "unknown type":
            bad = try NewEvent(type: "TariffChanged", data: CanonicalJSON(parsing: #"{"tariff":"AC-22"}"#), metadata: EventMetadata(source: "test"))
        case "malformed data":
            bad = try NewEvent(
                type: "SessionEnded",
                data: CanonicalJSON(parsing: #"{"session_id":"SES-2"}"#),
                metadata: EventMetadata(source: "test")
            )
        default:
            bad = try NewEvent(
                type: "SessionEnded",
                schemaVersion: 7,
                data: CanonicalJSON(parsing: #"{"session_id":"SES-2"}"#),
                metadata: EventMetadata(source: "test")
            )
        }
        let position = try await plain.append([bad], to: "odd", expectedVersion: .any).positions[0]
        // Readable events, then another unreadable one far enough on to be decoded in parallel:
        // replay must still name the first.
        for _ in 0..<12 {
            let fine = try EventCoding.newEvent(ChargePointConnected(chargePointId: "CP-9"), metadata: EventMetadata(source: "test"))
            _ = try await plain.append([fine], to: "chargepoint-CP-9", expectedVersion: .any)
        }
        _ = try await plain.append(
            [try NewEvent(type: "Unheard", data: .emptyObject, metadata: EventMetadata(source: "test"))],
            to: "odd",
            expectedVersion: .any
        )
        let before = try await plain.withReadDatabase { try ProjectionDump.json($0) }
        await plain.close()

        let result = try await CLI.ledger("replay", "--db", path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("STOPPED at position \(position)"), "\(result.stdout)")
        #expect(result.stdout.contains("the live tables were not changed"))
        let after = try await GoldenLogTests.dump(path)
        #expect(after == before)

        // A store with projections will not open past it either: it names the position.
        #expect {
            try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        } throws: { error in
            "\(error)".contains("position \(position)")
        }
    }

    @Test("importing a log with an event the catalogue cannot read is refused whole, naming the line")
    func importRefusesUnreadable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var lines = try String(contentsOf: try GoldenLogTests.golden("remote_start", "ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        lines[4] = lines[4].replacingOccurrences(of: #""type":"CommandResultQueued""#, with: #""type":"CommandResultQueuedTwice""#)
        let file = directory.path("odd.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CLI.ledger("import", file, "--db", directory.path("odd.sqlite"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 5:"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown event type"))
        #expect(try await CLI.ledger("events", "--db", directory.path("odd.sqlite")).stdout.isEmpty)
    }

    static let unreadable = try! NewEvent(
        type: "MeterValuesRecorded",
        data: CanonicalJSON(parsing: #"{"session_id":"S","measured_at":"2024-03-12T10:00:00Z","meter_wh":"lots"}"#),
        metadata: EventMetadata(source: "test")
    )

    @Test("an append the projections cannot read is refused and nothing of it is written", arguments: StoreKind.available)
    func liveRefusal(kind: StoreKind) async throws {
        try await kind.withScratchLedger { ledger in
            let store = try await ledger.open()
            await #expect {
                try await store.append([Self.unreadable], to: "session-S", expectedVersion: .any)
            } throws: { error in
                guard case EventStoreError.projectionFailed(position: 1, let reason) = error else { return false }
                return reason.contains("meter_wh")
            }
            #expect(try await store.headPosition() == 0)
            let good = try EventCoding.newEvent(ChargePointConnected(chargePointId: "CP-1"), metadata: EventMetadata(source: "ocpp:CP-1"))
            #expect(try await store.append([good], to: "chargepoint-CP-1", expectedVersion: .any).positions == [1])
            await store.close()
        }
    }

    @Test(
        "an unreadable append committed together with others fails alone: theirs are written and folded",
        arguments: StoreKind.available
    )
    func refusalInsideGroupCommit(kind: StoreKind) async throws {
        try await kind.withScratchLedger { ledger in
            let store = try await ledger.open()
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let event =
                            index == 17
                            ? Self.unreadable
                            : try! EventCoding.newEvent(ChargePointConnected(chargePointId: "CP-\(index)"), metadata: EventMetadata(source: "test"))
                        return (try? await store.append([event], to: "chargepoint-CP-\(index)", expectedVersion: .any)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 39)
            #expect(try await store.headPosition() == 39)
            let connected = try await store.projectionRows("SELECT key FROM chargepoints WHERE connected = 1")
            #expect(connected.count == 39)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let replay = try await ReplayCheck.run(store: store, scratchPath: directory.path("replay.sqlite"))
            guard case .identical(events: 39) = replay else {
                Issue.record("\(replay)")
                return
            }
            await store.close()
        }
    }

    /// As when a migration adds a projection to a ledger that already has events.
    @Test("a projection behind the others catches up alone, without folding any event twice elsewhere")
    func projectionCatchesUpAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await Self.importedLedger("remote_start", in: directory)
        let store = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        for status in ["Preparing", "Charging"] {
            let event = try EventCoding.newEvent(
                ConnectorStatusChanged(chargePointId: "CP-0042", connectorId: 1, status: status),
                metadata: EventMetadata(source: "ocpp:CP-0042")
            )
            _ = try await store.append([event], to: "chargepoint-CP-0042", expectedVersion: .any)
        }
        await store.close()
        let raw = try Database.open(path: directory.path("scratch.sqlite"))
        try raw.execute("ATTACH DATABASE ? AS live", [.text(path)])
        try raw.execute("DELETE FROM live.chargepoints")
        try raw.execute("UPDATE live.projection_checkpoints SET position = 0 WHERE name = 'chargepoints'")
        try raw.execute("DETACH DATABASE live")

        let reopened = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        let connectors = try await reopened.withReadDatabase { try $0.rows("SELECT body FROM chargepoints").first?.first?.text }
        await reopened.close()
        #expect(connectors?.contains(#""1":"Charging""#) == true)
        let replay = try await CLI.ledger("replay", "--db", path)
        #expect(replay.status == 0, "\(replay.stdout)")
    }

    @Test("an old schema version is upcast on read, and the stored row stays as it was")
    func upcasting() throws {
        var catalogue = EventCatalogue()
        catalogue.register(VersionTwoMeterValues.self) {
            .meterValuesRecorded(MeterValuesRecorded(sessionId: $0.sessionId, measuredAt: $0.measuredAt, meterWh: $0.meterWh))
        }
        // Version 1 recorded kWh as a decimal; version 2 records whole Wh.
        catalogue.registerUpcaster(for: "MeterValuesRecorded", from: 1) { value in
            guard case .object(var fields) = value, case .number(let kwh)? = fields.removeValue(forKey: "kwh"), let energy = Double(kwh) else {
                throw CatalogueError(position: 0, type: "MeterValuesRecorded", reason: "no kwh")
            }
            fields["meter_wh"] = .number(String(Int((energy * 1000).rounded())))
            return .object(fields)
        }
        let stored = #"{"kwh":12.5,"measured_at":"2024-03-12T10:00:00.000Z","session_id":"S"}"#
        let event = try catalogue.decode(type: "MeterValuesRecorded", schemaVersion: 1, data: stored, position: 9)
        #expect(
            event
                == .meterValuesRecorded(MeterValuesRecorded(sessionId: "S", measuredAt: Timestamp(iso8601: "2024-03-12T10:00:00Z")!, meterWh: 12500))
        )
        #expect(throws: CatalogueError.self) { try catalogue.decode(type: "MeterValuesRecorded", schemaVersion: 3, data: stored, position: 9) }
    }

    /// The live folds take an appended event's own payload (`NewEvent.payload`) rather than decode
    /// its data again: only a payload of the event's type at its schema version stands for it.
    @Test("an appended event is read from its payload only when that is its type's payload at its schema version")
    func payloadStandsForData() async throws {
        let reading = MeterValuesRecorded(sessionId: "S", measuredAt: Timestamp(iso8601: "2024-03-12T10:00:00Z")!, meterWh: 12500)
        let recorded = try await SQLiteEventStore.withTemporary { store, _ in
            _ = try await store.append([try EventCoding.newEvent(reading, metadata: EventMetadata(source: "test"))], to: "S", expectedVersion: .any)
            return try await store.readAll(after: 0, limit: 1)[0]
        }
        let catalogue = EventCatalogue.standard
        #expect(try catalogue.decode(recorded, payload: reading) == .meterValuesRecorded(reading))
        // Another type's payload, or none: the data is decoded.
        #expect(try catalogue.decode(recorded, payload: "not a payload") == .meterValuesRecorded(reading))
        #expect(try catalogue.decode(recorded, payload: nil) == .meterValuesRecorded(reading))
        // Recorded at version 1, read by a catalogue at version 2: the data is upcast, even given a version-2 payload.
        var upgraded = EventCatalogue()
        upgraded.register(VersionTwoMeterValues.self) {
            .meterValuesRecorded(MeterValuesRecorded(sessionId: $0.sessionId, measuredAt: $0.measuredAt, meterWh: $0.meterWh))
        }
        upgraded.registerUpcaster(for: "MeterValuesRecorded", from: 1) { $0 }
        let other = try CanonicalReader.decode(
            VersionTwoMeterValues.self,
            from: #"{"measured_at":"2024-03-12T10:00:00.000Z","meter_wh":7,"session_id":"S"}"#
        )
        #expect(try upgraded.decode(recorded, payload: other) == .meterValuesRecorded(reading))
    }

    @Test("the standard catalogue knows every event of the design")
    func catalogueCoversDesign() {
        let designed: Set = [
            "CommandReceived", "CommandAnswered", "CommandDispatched", "ChargerResponded", "LateChargerResponse", "CommandTimedOut",
            "CommandResultQueued", "ChargePointConnected", "ChargePointDisconnected", "BootNotified", "ConnectorStatusChanged",
            "AuthorizeRequested", "AuthorizationDecided", "SessionStarted", "AuthorizationBound", "MeterValuesRecorded", "SessionEnded",
            "CdrIssued", "DeliveryScheduled", "DeliveryAttempted", "DeliverySucceeded", "DeliveryParked", "DeliveryAbandoned", "DeliveryRequeued",
            "CommandWarning", "OcppFrameRejected", "TransactionAnomaly", "TransactionMessageRepeated", "TransactionEventReceived", "TariffPublished",
            "TariffWithdrawn",
            "EvseStatusChanged", "CredentialsTokenIssued", "IOPRegistered", "IOPUnregistered", "LocationPublished",
        ]
        #expect(EventCatalogue.standard.knownTypes == designed)
    }
}

/// `MeterValuesRecorded` as schema version 2, for the upcasting test.
struct VersionTwoMeterValues: DomainEventPayload {
    static let eventType = "MeterValuesRecorded"
    static let schemaVersion = 2
    var sessionId: String
    var measuredAt: Timestamp
    var meterWh: Int

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case measuredAt = "measured_at"
        case meterWh = "meter_wh"
    }

    init(reading value: CanonicalValue) throws {
        let object = try value.object()
        sessionId = try object.decode(CodingKeys.sessionId)
        measuredAt = try object.decode(CodingKeys.measuredAt)
        meterWh = try object.decode(CodingKeys.meterWh)
    }

    func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.measuredAt, measuredAt)
            object.member(CodingKeys.meterWh, meterWh)
            object.member(CodingKeys.sessionId, sessionId)
        }
    }
}
