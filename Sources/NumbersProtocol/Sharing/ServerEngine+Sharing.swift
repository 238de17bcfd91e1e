/// Sessions shared through a store that several server processes use (PROTOCOL.md §10).
///
/// The process serving a session owns it and keeps it in memory, as without sharing; the store
/// holds a `SessionCheckpoint` that lets another process take it over. Nothing here waits for the
/// store: a datagram for a session this process does not hold is kept aside (bounded) while the
/// store is asked, and handled again once `storeAnswered` brings the answer.
extension ServerEngine {
    /// Turns sharing on: from now on sessions are created through the store (create-if-absent),
    /// checkpointed when their client is heard in a new `checkpointPeriod`, deleted on completion,
    /// and looked up when a datagram names one this process does not hold.
    package mutating func shareSessions(checkpointPeriod: Nanoseconds) {
        sharing = SessionSharing(checkpointPeriod: checkpointPeriod)
    }

    package var sharingCounters: SessionSharing.Counters? { sharing?.counters }
    package var awaitingStore: Int { sharing?.awaitingCount ?? 0 }

    /// The next request for the store, in the order they arose.
    package mutating func pollStoreRequest() -> StoreRequest? {
        sharing?.next()
    }

    /// Hands the engine the store's answer to a `.create` or `.lookup`; the datagram that
    /// provoked it is handled now.
    package mutating func storeAnswered(_ answer: StoreAnswer, now: Instant) {
        let id: ClientID
        switch answer {
        case .created(let i, _), .found(let i, _), .unavailable(let i): id = i
        }
        guard sharing != nil, let waiting = sharing!.awaiting.removeValue(forKey: id) else { return }
        if store.session(id) != nil { return handleAgain(waiting, now: now) }
        if case .ack(let ack, _) = waiting.held, ack.flags.contains(.done) { return finishUnheld(ack, waiting, answer) }
        switch answer {
        case .created(_, let existing?), .found(_, let existing?):
            // The stored lastHeard lags the truth by up to one period: judged from its middle, as adoption does.
            guard now < existing.lastHeard + Nanoseconds(sharing!.checkpointPeriod.value / 2) + config.sessionTTL else {
                sharing!.counters.notFound += 1
                return refuse(waiting, .unknownSession)
            }
            if case .created = answer { sharing!.counters.lostRaces += 1 }
            guard adopt(existing, for: waiting.held, now: now) else { return refuse(waiting, .serverFull) }
            handleAgain(waiting, now: now)
        case .created(_, nil):
            let proposal = waiting.proposal!
            var created = ServerSession(clientID: id, seed: proposal.seed, total: proposal.total, tag: proposal.tag,
                                        window: proposal.window, address: proposal.address, now: now)
            if case .open(let open) = waiting.held { created.lastAckSeq = open.ackSeq; created.drainedAckSeq = open.ackSeq }
            guard store.count < config.maxSessions, store.insertIfAbsent(created) else { return refuse(waiting, .serverFull) }
            sharing!.counters.created += 1
            counters.sessionsCreated += 1
            record(.created(id, total: proposal.total, address: proposal.address))
            handleAgain(waiting, now: now)
        case .found(_, nil):
            sharing!.counters.notFound += 1
            refuse(waiting, .unknownSession)
        case .unavailable:
            sharing!.counters.unavailable += 1
            // A new session cannot be agreed on without the store: refuse it plainly. Any other
            // datagram is dropped: its client sends again, and the store may be back by then.
            if waiting.proposal != nil {
                sharing!.counters.refusedUnavailable += 1
                refuse(waiting, .storeUnavailable)
            }
        }
    }

    // MARK: Hooks of the handlers

    /// An OPEN for a session not held here.
    mutating func openUnheld(_ open: OpenMessage, from source: PeerAddress, receivedBytes: Int, now: Instant) {
        if sharing!.awaiting[open.clientID] != nil {
            sharing!.awaiting[open.clientID]!.held = .open(open)
            sharing!.awaiting[open.clientID]!.source = source
            sharing!.awaiting[open.clientID]!.receivedBytes = receivedBytes
            return
        }
        let creates = open.count != 0 && open.resumeFrom == 0
        guard validator.isValid(open.token, for: source, clientID: open.clientID, now: now) else {
            return challenge(tag: open.tag, clientID: open.clientID, source: source, receivedBytes: receivedBytes, now: now)
        }
        guard sharing!.awaitingCount < SessionSharing.maxAwaiting else {
            sharing!.counters.awaitingDropped += 1
            return
        }
        var proposal: SessionCheckpoint?
        if creates {
            guard store.count + sharing!.awaitingCount < config.maxSessions else {
                return reject(.serverFull, tag: open.tag, to: source, receivedBytes: receivedBytes)
            }
            let made = SessionCheckpoint(clientID: open.clientID, seed: seeds.next(), total: open.count,
                                         window: min(config.window, open.window), tag: open.tag, address: source,
                                         acknowledged: 0, checksum: SequenceChecksum(), lastHeard: now)
            guard sharing!.enqueue(.create(made)) else { return }
            proposal = made
        } else {
            guard sharing!.enqueue(.lookup(open.clientID)) else { return }
            sharing!.counters.lookups += 1
        }
        sharing!.awaiting[open.clientID] = SessionSharing.Awaiting(held: .open(open), source: source,
                                                                   receivedBytes: receivedBytes, proposal: proposal)
    }

    /// An ACK for a session not held here.
    mutating func ackUnheld(_ ack: AckMessage, from source: PeerAddress, receivedBytes: Int, now: Instant) {
        if ack.flags.contains(.done) && sharing!.completed.contains(ack.clientID) { counters.lateCompletions += 1; return }
        if let waiting = sharing!.awaiting[ack.clientID] {
            // Keep the newest ACK (it tells the most), but never let one replace an OPEN.
            if case .ack = waiting.held {
                sharing!.awaiting[ack.clientID]!.held = .holding(ack)
                sharing!.awaiting[ack.clientID]!.source = source
                sharing!.awaiting[ack.clientID]!.receivedBytes = receivedBytes
            }
            return
        }
        guard sharing!.awaitingCount < SessionSharing.maxAwaiting else {
            sharing!.counters.awaitingDropped += 1
            return
        }
        guard sharing!.enqueue(.lookup(ack.clientID)) else { return }
        sharing!.counters.lookups += 1
        sharing!.awaiting[ack.clientID] = SessionSharing.Awaiting(held: .holding(ack), source: source,
                                                                  receivedBytes: receivedBytes, proposal: nil)
    }

    /// After a datagram from the client moved `lastHeard` on from `previous`.
    mutating func checkpointIfDue(_ id: ClientID, previous: Instant, now: Instant, force: Bool = false) {
        guard sharing != nil, force || sharing!.isCheckpointDue(previous: previous, now: now),
              let session = store.session(id) else { return }
        if sharing!.enqueue(.refresh(SessionCheckpoint(of: session))) { sharing!.counters.refreshes += 1 }
    }

    mutating func shareCompletion(_ id: ClientID) {
        guard sharing != nil else { return }
        sharing!.noteCompleted(id)
        if sharing!.enqueue(.delete(id)) { sharing!.counters.deletes += 1 }
    }

    // MARK: Adoption

    /// Takes over a session from its checkpoint. Its send state continues from what the client
    /// says it holds (an ACK's `highest`), or from what was acknowledged; the running checksum is
    /// carried forward over whatever the previous owner sent after its last checkpoint.
    private mutating func adopt(_ checkpoint: SessionCheckpoint, for held: SessionSharing.Held, now: Instant) -> Bool {
        guard store.count < config.maxSessions else { return false }
        var s = ServerSession(clientID: checkpoint.clientID, seed: checkpoint.seed, total: checkpoint.total, tag: checkpoint.tag,
                              window: checkpoint.window, address: checkpoint.address, now: now)
        s.acknowledged = checkpoint.acknowledged
        s.checksum = checkpoint.checksum
        if checkpoint.retiredTag != 0 { s.retiredTag = checkpoint.retiredTag; s.hasRetiredTag = true }
        // The stored time may lag the truth by up to one period: take the middle.
        s.lastHeard = min(now, checkpoint.lastHeard + Nanoseconds(sharing!.checkpointPeriod.value / 2))
        var resumeAt = checkpoint.acknowledged
        if case .ack(let ack, _) = held, ack.tag == checkpoint.tag {
            resumeAt = max(resumeAt, min(ack.highest, checkpoint.total))
            // So that the ACK about to be handled again counts as new.
            s.lastAckSeq = ack.ackSeq &- 1
            s.drainedAckSeq = s.lastAckSeq
        }
        let generator = s.generator
        while s.checksum.count < resumeAt { s.checksum.add(generator.number(at: s.checksum.count)) }
        s.cursor = resumeAt
        guard store.insertIfAbsent(s) else { return false }
        sharing!.counters.adopted += 1
        record(.adopted(checkpoint.clientID, from: resumeAt, address: checkpoint.address))
        // The new owner says so at once: its checkpoint carries the time it was heard.
        if sharing!.enqueue(.refresh(SessionCheckpoint(of: s))) { sharing!.counters.refreshes += 1 }
        schedule(checkpoint.clientID, now: now)
        return true
    }

    /// A DONE for a session this process does not hold: the server that sent the trailer is gone.
    /// The checkpoint is deleted only if it is that client's (same tag and address, every number
    /// acknowledged); nothing is adopted, and nothing is answered.
    private mutating func finishUnheld(_ ack: AckMessage, _ waiting: SessionSharing.Awaiting, _ answer: StoreAnswer) {
        counters.lateCompletions += 1
        guard case .found(_, let stored?) = answer, stored.tag == ack.tag, stored.address == waiting.source,
              ack.cumulative == stored.total else { return }
        if sharing!.enqueue(.deleteIfUnchanged(stored)) { sharing!.counters.deletes += 1 }
    }

    private mutating func handleAgain(_ waiting: SessionSharing.Awaiting, now: Instant) {
        switch waiting.held {
        case .open(let open): handleOpen(open, from: waiting.source, receivedBytes: waiting.receivedBytes, now: now)
        case .ack(var ack, let ranges):
            ranges.withUnsafeBufferPointer { ack.ranges = AckRanges($0); handleAck(ack, from: waiting.source, receivedBytes: waiting.receivedBytes, now: now) }
        }
    }

    private mutating func refuse(_ waiting: SessionSharing.Awaiting, _ reason: RejectReason) {
        let tag: UInt32
        switch waiting.held {
        case .open(let open): tag = open.tag
        case .ack(let ack, _): tag = ack.tag
        }
        reject(reason, tag: tag, to: waiting.source, receivedBytes: waiting.receivedBytes)
    }
}
