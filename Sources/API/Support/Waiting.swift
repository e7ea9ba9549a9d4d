import Ledger

extension SQLiteEventStore {
    /// Returns when something is appended after `head`, or when `clock` reaches `deadline`
    /// (if any), whichever is first. How the background services sleep without polling.
    func waitForAppend(after head: Int64, orUntil deadline: Timestamp?, on clock: any LedgerClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForAppend(after: head) }
            if let deadline {
                group.addTask { try? await clock.sleep(until: deadline) }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
