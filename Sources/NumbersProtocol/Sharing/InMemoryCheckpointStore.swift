/// A shared store of checkpoints in one process's memory, with the semantics the Redis store has
/// (create-if-absent, overwrite, delete, expiry `period + sessionTTL` after the stored
/// `lastHeard`): what the simulation and the engine's tests share between several engines.
package struct InMemoryCheckpointStore: Sendable {
    package private(set) var checkpoints: [ClientID: SessionCheckpoint] = [:]
    package let sessionTTL: Nanoseconds
    package let checkpointPeriod: Nanoseconds
    /// Requests carried out, for cost accounting.
    package private(set) var commands = 0

    package init(sessionTTL: Nanoseconds, checkpointPeriod: Nanoseconds) {
        self.sessionTTL = sessionTTL
        self.checkpointPeriod = checkpointPeriod
    }

    /// When a stored checkpoint disappears by itself.
    package func expiry(of checkpoint: SessionCheckpoint) -> Instant {
        checkpoint.lastHeard + checkpointPeriod + sessionTTL
    }

    /// Carries out one request; the answer, for a `.create` or `.lookup`.
    package mutating func carry(_ request: StoreRequest, now: Instant) -> StoreAnswer? {
        commands += 1
        let id = request.clientID
        if let stored = checkpoints[id], now >= expiry(of: stored) { checkpoints[id] = nil }
        switch request {
        case .create(let proposal):
            if let existing = checkpoints[id] { return .created(id, existing: existing) }
            checkpoints[id] = proposal
            return .created(id, existing: nil)
        case .refresh(let checkpoint):
            checkpoints[id] = checkpoint
            return nil
        case .lookup:
            return .found(id, checkpoints[id])
        case .delete:
            checkpoints[id] = nil
            return nil
        case .deleteIfUnchanged(let read):
            if checkpoints[id] == read { checkpoints[id] = nil }
            return nil
        }
    }

    /// Forgets everything, as a store restarted without persistence does.
    package mutating func wipe() { checkpoints.removeAll() }
}
