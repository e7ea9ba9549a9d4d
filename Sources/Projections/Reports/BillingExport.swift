import Domain
import Foundation
import Ledger

/// CDRs in the order they were issued, for billing, read by position.
///
/// The cursor is the log position at which each CDR was issued (`cdrs.issued_position`). It is
/// safe to resume from the last position a consumer printed: positions are assigned in commit
/// order by the single writer, and a CDR's row is written in the same transaction as its event,
/// so a reader that sees position P has seen every CDR issued before P — none can appear behind
/// the cursor later. A CDR issued twice (same id) is one row: exported once.
public enum BillingExport {
    /// One CDR as billing reads it.
    public struct Record: Codable, Sendable, Equatable {
        /// Resume after this position to get the CDRs issued later.
        public let position: Int64
        public let cdrId: String
        public let sessionId: String
        /// Absent when the session had none (a `cdr_without_authorization` anomaly).
        public let authorizationId: String?
        public let authId: String
        public let authMethod: String
        public let locationId: String
        public let evseUid: String
        public let startDateTime: Timestamp
        public let stopDateTime: Timestamp
        public let kwh: Double
        public let totalTime: Double
        /// Absent in CDRs recorded before it was kept.
        public let totalParkingTime: Double?
        /// Excluding VAT, as the CDR carries it (0 for a session without a tariff).
        public let totalCost: Decimal
        public let currency: String
        /// The tariff version the CDR was priced with; absent when it was not priced.
        public let tariffId: String?
        public let tariffLastUpdated: String?
        /// The computation (per period and component), in NDJSON only.
        public let pricing: CdrPricing?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case position
            case cdrId = "cdr_id"
            case sessionId = "session_id"
            case authorizationId = "authorization_id"
            case authId = "auth_id"
            case authMethod = "auth_method"
            case locationId = "location_id"
            case evseUid = "evse_uid"
            case startDateTime = "start_date_time"
            case stopDateTime = "stop_date_time"
            case kwh
            case totalTime = "total_time"
            case totalParkingTime = "total_parking_time"
            case totalCost = "total_cost"
            case currency
            case tariffId = "tariff_id"
            case tariffLastUpdated = "tariff_last_updated"
            case pricing
        }

        init(_ state: CdrsProjection.State) {
            let cdr = state.cdr
            position = state.issuedPosition
            cdrId = cdr.cdrId
            sessionId = cdr.sessionId
            authorizationId = cdr.authorizationId
            authId = cdr.authId
            authMethod = cdr.authMethod
            locationId = cdr.locationId
            evseUid = cdr.evseUid
            startDateTime = cdr.startDateTime
            stopDateTime = cdr.stopDateTime
            kwh = cdr.totalEnergy
            totalTime = cdr.totalTime
            totalParkingTime = cdr.totalParkingTime
            totalCost = cdr.totalCost
            currency = cdr.currency
            tariffId = cdr.pricing?.tariff.id
            tariffLastUpdated = cdr.pricing?.tariff.lastUpdated
            pricing = cdr.pricing
        }

        /// The columns of `csvLine`, in order: every field but the computation.
        public static let csvHeader = CodingKeys.allCases.filter { $0 != .pricing }.map(\.stringValue).joined(separator: ",")

        /// One CSV line (RFC 4180: fields with a comma, quote or line break are quoted).
        public var csvLine: String {
            let fields = [
                String(position), cdrId, sessionId, authorizationId ?? "", authId, authMethod, locationId, evseUid,
                startDateTime.iso8601, stopDateTime.iso8601, Self.number(kwh), Self.number(totalTime),
                totalParkingTime.map(Self.number) ?? "", totalCost.canonicalText, currency, tariffId ?? "", tariffLastUpdated ?? "",
            ]
            return fields.map(Self.quoted).joined(separator: ",")
        }

        /// Numbers as JSON spells them, so CSV and NDJSON agree.
        private static func number(_ value: Double) -> String {
            (try? CanonicalEncoder.text(of: value)) ?? String(value)
        }

        private static func quoted(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// Up to `limit` CDRs issued after `position`, oldest first.
    public static func records(after position: Int64, limit: Int, store: some ProjectionStore) async throws -> [Record] {
        try await store.withProjectionSnapshot { database in
            try database.rows(
                "SELECT body FROM cdrs WHERE issued_position > ? ORDER BY issued_position LIMIT ?",
                [.integer(position), .integer(Int64(limit))]
            )
            .map { row in Record(try EventCoding.decode(CdrsProjection.State.self, from: row.first?.text ?? "")) }
        }
    }
}
