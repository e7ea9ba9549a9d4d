import Domain
import Foundation
import Ledger
import Projections

/// Which authorization a new transaction belongs to, with the evidence recorded as
/// `AuthorizationBound` — never a silent guess.
///
/// OCPP 1.6 has no field tying a RemoteStartTransaction to the transaction it causes, so a
/// transaction after a remote START_SESSION is bound to that command by EVSE and id tag within
/// `window`: exactly one candidate binds (and the session inherits its `authorization_id`); zero or
/// several are recorded as such. A command that timed out, or whose answer has not been recorded
/// yet, still binds — only a charger's explicit refusal rules it out: the session is real even if
/// we were impatient. Failing that, a local swipe the IOP allowed at that charge point binds.
struct SessionBinding: Sendable {
    let store: any ProjectionStore
    let clock: any LedgerClock
    let window: Duration

    /// The START_SESSION commands this transaction could belong to, and the recorded verdict.
    func bind(
        sessionId: String,
        idTag: String,
        evse: LocationRegistry.EVSE,
        startedAt: Timestamp
    ) async throws -> Binding {
        let since = clock.now().adding(milliseconds: -window.milliseconds)
        let candidates = try await store.read(CommandsProjection.startSessions(receivedSince: since)).filter { command in
            // Sent to the charger and not refused by it: its answer may still be on its way (a
            // charger can start the transaction before our record of its CALLRESULT), or never come.
            let refused: Set<String?> = ["REJECTED", "NOT_SUPPORTED"]
            return command.evseUid == evse.uid && command.tokenUid.map(OCPI211OCPP16.idTag(forToken:))?.caseInsensitiveCompare(idTag) == .orderedSame
                && command.sessionIds.isEmpty
                && command.answer?.result == "ACCEPTED"
                && !refused.contains(command.chargerResult) && !refused.contains(command.lateChargerResult)
        }
        guard candidates.count == 1, let command = candidates.first else {
            return Binding(
                event: AuthorizationBound(
                    sessionId: sessionId,
                    authorizationId: nil,
                    matchedOn: ["id_tag", "connector", "window"],
                    candidates: candidates.count
                )
            )
        }
        return Binding(
            event: AuthorizationBound(
                sessionId: sessionId,
                authorizationId: command.authorizationId,
                commandId: command.commandId,
                matchedOn: ["id_tag", "connector", "window"],
                deltaMs: startedAt.millisecondsSinceEpoch - command.receivedAt.millisecondsSinceEpoch,
                candidates: 1
            ),
            command: command
        )
    }

    /// The local swipe this transaction follows, if the IOP allowed it at this charge point within the window.
    func bindSwipe(
        sessionId: String,
        idTag: String,
        chargePointId: String,
        startedAt: Timestamp
    ) async throws -> Binding? {
        let state = try await store.state(ChargePointsProjection.self, chargePointId)
        guard let decision = state?.authorizations?[idTag.uppercased()], decision.allowed == "ALLOWED",
            decision.at >= clock.now().adding(milliseconds: -window.milliseconds)
        else { return nil }
        return Binding(
            event: AuthorizationBound(
                sessionId: sessionId,
                authorizationId: decision.authorizationId,
                matchedOn: ["authorize", "id_tag", "charge_point"],
                deltaMs: startedAt.millisecondsSinceEpoch - decision.at.millisecondsSinceEpoch,
                candidates: 1
            ),
            swipeToken: decision.token
        )
    }

    /// The verdict, and what the session inherits from what it was bound to.
    struct Binding {
        var event: AuthorizationBound
        /// The START_SESSION it follows.
        var command: CommandsProjection.State?
        /// The token as the IOP's 2.2.1 answer to the swipe it follows described it.
        var swipeToken: TokenSnapshot?
    }
}
