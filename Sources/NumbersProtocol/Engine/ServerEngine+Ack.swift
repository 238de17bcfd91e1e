/// What an ACK did to its session. Not nested in the generic engine, whose nested types are
/// generic too and have their metadata looked up at run time on every use (see `TimerOutcome`).
private enum AckOutcome {
    case otherProcess, challenge, invalid
    /// The client holds numbers this copy never sent: another server took the session over.
    case movedOn
    case completed(total: UInt32, stats: SessionStats)
    case applied(migrated: Bool, probe: Bool, ranges: Int, rangesDropped: Int, newRequest: Bool)
}

extension ServerEngine {
    mutating func handleAck(_ ack: AckMessage, from source: PeerAddress, receivedBytes: Int, now: Instant) {
        let validator = self.validator
        let previousHeard = sharing == nil ? nil : store.session(ack.clientID)?.lastHeard
        let shared = sharing != nil
        let outcome = store.update(ack.clientID) { s -> AckOutcome in
            guard ack.tag == s.tag else { return .otherProcess }
            guard source == s.address || validator.isValid(ack.token, for: source, clientID: ack.clientID, now: now) else {
                return .challenge
            }
            if shared && ack.highest > s.sentThrough && ack.highest <= s.total { return .movedOn }
            guard ack.cumulative <= s.total, ack.highest <= s.sentThrough,
                  !ack.flags.contains(.done) || ack.cumulative == s.total else {
                return .invalid      // claims numbers that were never sent
            }
            let migrated = source != s.address
            s.address = source
            s.lastHeard = now
            s.stats.acksReceived &+= 1
            if ack.flags.contains(.done) { return .completed(total: s.total, stats: s.stats) }
            let newRequest = isNewer(ack.ackSeq, than: s.lastAckSeq)
            let (ranges, dropped) = s.apply(ack, now: now)
            return .applied(migrated: migrated, probe: ack.flags.contains(.probe), ranges: ranges, rangesDropped: dropped, newRequest: newRequest)
        }
        switch outcome {
        case nil:
            if sharing != nil { return ackUnheld(ack, from: source, receivedBytes: receivedBytes, now: now) }
            // The second copy of a completion, after the first already closed the session.
            if ack.flags.contains(.done) { counters.lateCompletions += 1; return }
            reject(.unknownSession, tag: ack.tag, to: source, receivedBytes: receivedBytes)
        case .otherProcess?, .invalid?:
            counters.invalidDropped += 1
        case .movedOn?:
            // This copy is stale: forget it here (the store's newer checkpoint stays) and adopt anew.
            store.remove(ack.clientID)
            congestion.remove(ack.clientID)
            sharing!.counters.staleDropped += 1
            ackUnheld(ack, from: source, receivedBytes: receivedBytes, now: now)
        case .challenge?:
            challenge(tag: ack.tag, clientID: ack.clientID, source: source, receivedBytes: receivedBytes, now: now)
        case .completed(let total, let stats)?:
            store.remove(ack.clientID)
            completions.insert(CompletedTransfer(clientID: ack.clientID, tag: ack.tag))
            congestion.remove(ack.clientID)
            shareCompletion(ack.clientID)
            counters.sessionsCompleted += 1
            record(.ended(ack.clientID, total: total, acknowledged: ack.cumulative, reason: .completed, stats: stats))
        case .applied(let migrated, let probe, let ranges, let dropped, let newRequest)?:
            let rescale = congestion.acknowledged(ack.clientID, ack, from: source, newRequest: newRequest, now: now)
            if congestion.releaseIfOpen(ack.clientID) {
                store.update(ack.clientID) { s in if s.nextSendAt > now { s.nextSendAt = now } }
            } else if let rescale {
                // The next DATA was scheduled at the old rate; it goes at the new one (a start-up's
                // first gap at 12 Mbit/s is 0.8 ms, and on a fast path its first ACK comes sooner).
                store.update(ack.clientID) { s in s.rescheduleSend(now: now, by: rescale) }
            }
            if migrated { counters.migrations += 1; record(.moved(ack.clientID, address: source)) }
            if probe { counters.probesReceived += 1 }
            counters.rangesRequested += UInt64(ranges)
            counters.rangesDroppedFromQueue += UInt64(dropped)
            schedule(ack.clientID, now: now)
            if let previousHeard { checkpointIfDue(ack.clientID, previous: previousHeard, now: now) }
        }
    }
}
