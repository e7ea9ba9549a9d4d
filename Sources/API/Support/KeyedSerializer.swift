/// Runs the operations that share a key one at a time, in arrival order; different keys run
/// concurrently.
///
/// The command path uses it so that copies of one OCPI command arriving together (an IOP retry
/// racing the original) are each decided after the previous copy is recorded: the first is
/// dispatched, the others find it and get its answer. The check and the record cannot be one SQL
/// statement because the decision needs the charger's state in between.
actor KeyedSerializer {
    /// Keys being worked on, each with the callers waiting for it.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `operation` alone among the operations with the same `key`; a `nil` key runs it at once.
    nonisolated func serialize<T>(_ key: String?, _ operation: () async -> T) async -> T {
        guard let key else { return await operation() }
        await acquire(key)
        let result = await operation()
        await release(key)
        return result
    }

    private func acquire(_ key: String) async {
        guard waiting[key] != nil else {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    /// Hands the key to the next caller waiting for it, or frees it.
    private func release(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue
        next.resume()
    }
}
