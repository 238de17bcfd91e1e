/// What an OPEN did to an existing session; outside the generic engine, as `AckOutcome` is.
private enum OpenOutcome {
    case refused(RejectReason), challenge, stale, repeated, resumed(migrated: Bool)
}

extension ServerEngine {
    mutating func handleOpen(_ open: OpenMessage, from source: PeerAddress, receivedBytes: Int, now: Instant) {
        if store.session(open.clientID) == nil {
            // A late copy of the OPEN of a transfer that has completed: the client is done.
            if completions.contains(CompletedTransfer(clientID: open.clientID, tag: open.tag)) { counters.lateCompletions += 1; return }
            if sharing != nil { return openUnheld(open, from: source, receivedBytes: receivedBytes, now: now) }
            guard open.count != 0, open.resumeFrom == 0 else {
                return reject(.unknownSession, tag: open.tag, to: source, receivedBytes: receivedBytes)
            }
            guard validator.isValid(open.token, for: source, clientID: open.clientID, now: now) else {
                return challenge(tag: open.tag, clientID: open.clientID, source: source, receivedBytes: receivedBytes, now: now)
            }
            guard store.count < config.maxSessions else {
                return reject(.serverFull, tag: open.tag, to: source, receivedBytes: receivedBytes)
            }
            var created = ServerSession(clientID: open.clientID, seed: seeds.next(), total: open.count, tag: open.tag,
                                        window: min(config.window, open.window), address: source, now: now)
            created.lastAckSeq = open.ackSeq
            created.drainedAckSeq = open.ackSeq
            if store.insertIfAbsent(created) {
                precondition(store.count <= config.maxSessions)
                counters.sessionsCreated += 1
                record(.created(open.clientID, total: open.count, address: source))
                schedule(open.clientID, now: now)
                return
            }
            // Another server sharing the store created it first: that session is the one.
        }
        let validator = self.validator
        let window = min(config.window, open.window)
        let outcome = store.update(open.clientID) { s -> OpenOutcome in
            guard open.count == 0 || open.count == s.total else { return .refused(.countMismatch) }
            guard source == s.address || validator.isValid(open.token, for: source, clientID: open.clientID, now: now) else {
                return .challenge
            }
            guard open.resumeFrom <= s.sentThrough else { return .refused(.invalidResume) }
            // A late OPEN of a process that a newer one has replaced must not take the session back.
            if s.hasRetiredTag && open.tag == s.retiredTag { return .stale }
            // The same process repeating an OPEN that crossed newer ACKs: nothing to rewind.
            if open.tag == s.tag && !isNewer(open.ackSeq, than: s.lastAckSeq) {
                s.lastHeard = now
                return .repeated
            }
            if open.tag != s.tag {
                s.retiredTag = s.tag
                s.hasRetiredTag = true
            }
            let migrated = source != s.address
            s.resume(from: open.resumeFrom, tag: open.tag, ackSeq: open.ackSeq, window: window, address: source, now: now)
            return .resumed(migrated: migrated)
        }
        switch outcome {
        case nil:
            reject(.unknownSession, tag: open.tag, to: source, receivedBytes: receivedBytes)
        case .refused(let reason)?:
            reject(reason, tag: open.tag, to: source, receivedBytes: receivedBytes)
        case .challenge?:
            challenge(tag: open.tag, clientID: open.clientID, source: source, receivedBytes: receivedBytes, now: now)
        case .stale?:
            counters.invalidDropped += 1
        case .repeated?:
            schedule(open.clientID, now: now)
        case .resumed(let migrated)?:
            if migrated { counters.migrations += 1; record(.moved(open.clientID, address: source)) }
            counters.sessionsResumed += 1
            // The stream restarts from the client's position, perhaps over another path: the
            // controller starts afresh too (its in-flight count belongs to the old stream).
            congestion.remove(open.clientID)
            record(.resumed(open.clientID, from: open.resumeFrom, address: source))
            schedule(open.clientID, now: now)
            checkpointIfDue(open.clientID, previous: now, now: now, force: true)
        }
    }
}
