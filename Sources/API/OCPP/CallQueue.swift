import Ledger

/// One charger's CALLs from us: at most one in flight, the others waiting their turn in order.
///
/// OCPP-J: a central system "SHOULD NOT send a CALL message to the other party unless all the
/// CALL messages it sent before have been responded to or have timed out" (1.6 §4.1.1; SHALL NOT
/// in 2.0.1): a charger may drop or refuse a second one, and a flood of them fills its buffers.
/// Two commands for one charger in a row are ordinary (a START_SESSION and an UNLOCK_CONNECTOR,
/// a reservation and its start), so the second waits here, not at the IOP: its HTTP answer was
/// given when it was recorded. A CALL stops blocking the next when it is answered or its
/// command's deadline passes (its result is then TIMEOUT; a later answer is still recorded, as
/// late). A waiting CALL whose own deadline passes is never sent: TIMEOUT is already its result.
struct CallQueue {
    /// What a change of the queue lets happen: the CALL to send now, and the waiting ones dropped
    /// because their deadline passed.
    struct Turn {
        var send: OutboundCall?
        var expired: [OutboundCall] = []
    }

    /// The CALL sent and not answered yet, with the deadline after which it no longer blocks.
    private(set) var inFlight: (messageId: String, deadline: Timestamp)?
    private var waiting: [OutboundCall] = []

    /// When the CALL in flight stops blocking the ones waiting behind it (nil: nothing waits).
    var blockedUntil: Timestamp? { waiting.isEmpty ? nil : inFlight?.deadline }

    /// Queues `call`; it goes at once when nothing is in flight (or what is has timed out).
    mutating func offer(_ call: OutboundCall, now: Timestamp) -> Turn {
        waiting.append(call)
        if let inFlight, inFlight.deadline > now { return Turn() }
        return next(now: now)
    }

    /// The charger answered `messageId`. An answer to another CALL (one that had already timed
    /// out) changes nothing.
    mutating func answered(_ messageId: String, now: Timestamp) -> Turn {
        guard inFlight?.messageId == messageId else { return Turn() }
        return next(now: now)
    }

    /// Time passed: the CALL in flight no longer blocks once its deadline has.
    mutating func deadlinePassed(now: Timestamp) -> Turn {
        guard let inFlight, inFlight.deadline <= now else { return Turn() }
        return next(now: now)
    }

    /// Puts the first waiting CALL still within its deadline in flight.
    private mutating func next(now: Timestamp) -> Turn {
        inFlight = nil
        var turn = Turn()
        var kept: [OutboundCall] = []
        for call in waiting {
            if call.deadline <= now { turn.expired.append(call) } else { kept.append(call) }
        }
        waiting = kept
        guard !waiting.isEmpty else { return turn }
        let call = waiting.removeFirst()
        inFlight = (call.messageId, call.deadline)
        turn.send = call
        return turn
    }
}
