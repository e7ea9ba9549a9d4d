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
            return command.evseUid == evse.uid && OCPI211OCPP16.presents(command.tokenUid, as: idTag)
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

extension SessionBinding {
    /// The proof an OCPP 2.0.1 station gives: its transaction carries the `remoteStartId` of our
    /// RequestStartTransaction. `commands`: those sent to this station with that id
    /// (`CommandsProjection.sentWith(remoteStartId:to:)`, read by the caller, which also finds the
    /// EVSE by them). Bound without a window, when exactly one command went to this station with
    /// that id and the transaction's idToken is the command's token (spec digest
    /// ocpp-2.0.1-subset.md §4.6 [REC]: bind automatically only when the token agrees). `nil`: no
    /// command of ours has that id here, and the caller infers as for 1.6; otherwise the verdict,
    /// with what did not agree as concerns for the session's record.
    func bind(
        sessionId: String,
        remoteStartId: Int,
        commands: [CommandsProjection.State],
        chargePointId: String,
        idToken: String,
        evse: LocationRegistry.EVSE,
        startedAt: Timestamp
    ) -> (binding: Binding, concerns: [String])? {
        guard !commands.isEmpty else { return nil }
        func unbound(_ concern: String) -> (binding: Binding, concerns: [String]) {
            (
                Binding(
                    event: AuthorizationBound(
                        sessionId: sessionId,
                        authorizationId: nil,
                        matchedOn: ["remote_start_id"],
                        candidates: commands.count == 1 ? 0 : commands.count,
                        remoteStartId: remoteStartId
                    )
                ),
                [concern]
            )
        }
        guard commands.count == 1, let command = commands.first else {
            return unbound("remoteStartId \(remoteStartId) names \(commands.count) commands to \(chargePointId): not bound, for review")
        }
        guard OCPI211OCPP16.presents(command.tokenUid, as: idToken) else {
            return unbound(
                "remoteStartId \(remoteStartId) names command \(command.commandId) for token \(command.tokenUid ?? "(none)"), "
                    + "but the transaction's idToken is \(idToken): not bound, for review"
            )
        }
        var matched = ["remote_start_id", "id_token"]
        var concerns: [String] = []
        if command.evseUid == evse.uid {
            matched.append("evse")
        } else {
            concerns.append(
                "remoteStartId \(remoteStartId) names command \(command.commandId) for EVSE \(command.evseUid ?? "?"), the transaction ran on \(evse.uid)"
            )
        }
        return (
            Binding(
                event: AuthorizationBound(
                    sessionId: sessionId,
                    authorizationId: command.authorizationId,
                    commandId: command.commandId,
                    matchedOn: matched,
                    deltaMs: startedAt.millisecondsSinceEpoch - command.receivedAt.millisecondsSinceEpoch,
                    candidates: 1,
                    remoteStartId: remoteStartId
                ),
                command: command
            ),
            concerns
        )
    }
}
