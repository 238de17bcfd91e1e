extension ClientEngine {
    /// Fires due timers, then writes the next datagram to send (to `config.server`) into `buffer`
    /// and returns its length; nil when nothing is due.
    public mutating func poll(now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        precondition(buffer.count >= Limits.maxDatagramSize)
        if doneCopiesOwed > 0 {
            doneCopiesOwed -= 1
            doneCopiesLeft -= 1
            return sendAck(flags: .done, now: now, into: buffer)
        }
        if status.isOver { return nil }
        if now >= lastReceived + config.giveUpAfter {
            status = .failed(.noAnswer(after: now - lastReceived))
            return nil
        }
        if copiesLeft > 0 {
            // Further copies of the OPEN or probe just sent: same bytes, same ackSeq, so the
            // server acts once.
            copiesLeft -= 1
            counters.datagramsSent += 1
            if copyIsOpen { counters.opensSent += 1 } else { counters.acksSent += 1 }
            if copyIsProbe { counters.probesSent += 1 }
            lastCopy.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return lastCopy.count
        }
        if now >= retryAt {
            // Silence: ask again (OPEN until the stream starts, a probe after).
            probes.unanswered()
            retryAt = now + probeTimeout()
            if case .connecting = status { openOwed = true } else { probeOwed = true }
        }
        if openOwed {
            openOwed = false
            let length = sendOpen(now: now, into: buffer)
            keepCopies(Self.openCopies(unansweredRounds: openRoundsUnanswered, answeredBefore: token != 0) - 1, of: buffer, length: length, isOpen: true)
            openRoundsUnanswered += 1
            return length
        }
        if probeOwed {
            probeOwed = false
            let length = sendAck(flags: .probe, now: now, into: buffer)
            // A lost probe costs a whole timeout: under loss, send it more than once.
            keepCopies(loss.controlCopies - 1, of: buffer, length: length, isOpen: false, isProbe: true)
            return length
        }
        if now >= repairAt {
            repairAt = .never
            if let length = sendRepair(now: now, into: buffer) { return length }
        }
        if acks.isDue(at: now) {
            let length = sendAck(flags: [], now: now, into: buffer)
            // An ACK that asks for something is a request whose loss costs a request timeout
            // (three or more round trips): under loss it goes more than once.
            if !ranges.isEmpty || awaitingTrailer { keepCopies(loss.controlCopies - 1, of: buffer, length: length, isOpen: false) }
            return length
        }
        return nil
    }

    private mutating func sendOpen(now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        // Each OPEN is newer than the last, so the server acts on a repeat (its answer was lost).
        nextAckSeq()
        let open = OpenMessage(tag: config.tag, clientID: config.clientID, count: openCount,
                               resumeFrom: window.cumulative, window: window.capacity, token: token, ackSeq: ackSeq)
        // The latest attempt: if the answer was to an earlier one the sample is short, which
        // only makes the next retry early.
        openSentAt = now
        if retryAt == .never { retryAt = now + probeTimeout() }
        counters.opensSent += 1
        counters.datagramsSent += 1
        return WireEncoder.encode(open, into: buffer)
    }

    /// The request timer: requests whose ACK (or answer) was lost are asked for again, one round
    /// trip after they were sent, without waiting for the stream to go silent.
    private mutating func sendRepair(now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let rto = requestTimeout else { return nil }
        if awaitingTrailer {
            // No answer to the ACK of everything within a request timeout: ask again.
            repairAt = now + rto
            counters.repairsSent += 1
            let length = sendAck(flags: [], now: now, into: buffer)
            keepCopies(loss.controlCopies - 1, of: buffer, length: length, isOpen: false)
            return length
        }
        guard window.missing > 0 else { return nil }
        let (liveFrom, nextExpiry) = liveRequests(now: now, timeout: rto)
        window.collectRequests(into: &ranges, limit: Limits.maxAckRanges, ackSeq: ackSeq &+ 1 == 0 ? 1 : ackSeq &+ 1,
                               drained: drained, liveFrom: liveFrom, force: false)
        guard !ranges.isEmpty else {
            repairAt = nextExpiry
            return nil
        }
        counters.repairsSent += 1
        // Its answer is due within one request timeout: silence before then is no reason to probe.
        retryAt = max(retryAt, now + rto)
        let length = sendAck(flags: [], now: now, into: buffer, collected: true)
        // The request timer fires when a round was lost: under loss, send the retry more than once.
        keepCopies(loss.controlCopies - 1, of: buffer, length: length, isOpen: false)
        return length
    }

    /// The oldest ackSeq sent less than `timeout` ago (requests in older ACKs have timed out), and
    /// when that one times out in turn.
    /// An ACK too old for the ring to remember its time counts as live: asking again for what it
    /// requested would only duplicate what may still be on its way, and the server's echo says
    /// soon enough whether it was served.
    func liveRequests(now: Instant, timeout: Nanoseconds) -> (liveFrom: UInt32?, nextExpiry: Instant) {
        var live: UInt32? = ackSeq &+ 1
        var expiry = Instant.never
        var seq = ackSeq
        // A server still sending to us may simply not have reached a request yet: it serves
        // requests in order and before new numbers, at whatever rate its path allows (behind a
        // bottleneck, thousands of ranges take far longer than a round trip). So while DATA
        // keeps arriving, an ACK times out only once new numbers have arrived that the server
        // sent after that ACK must have reached it. A quiet stream gives no such evidence, and
        // the timeout alone decides.
        let quiet = lastDataAt.map { now - $0 >= timeout } ?? true
        let path = roundTrip.minimum ?? timeout
        for step in 0..<Self.ackHistory {
            let entry = ackSendTimes[Int(seq % UInt32(Self.ackHistory))]
            guard entry.seq == seq else { break }
            let overtaken = quiet || entry.at + path <= lastNewDataAt
            guard entry.at + timeout > now || !overtaken else { break }
            live = seq
            expiry = entry.at + timeout
            if step == Self.ackHistory - 1 { live = nil }   // the whole ring is live
            seq &-= 1
        }
        if expiry == .never { expiry = now + timeout }
        // An ACK past its timeout but not yet overtaken is checked again a quarter timeout on.
        if expiry <= now { expiry = now + Nanoseconds(max(timeout.value / 4, 1)) }
        return (live, expiry)
    }

    /// Keeps the datagram just written so that `count` more copies of it follow at once.
    private mutating func keepCopies(_ count: Int, of buffer: UnsafeMutableRawBufferPointer, length: Int, isOpen: Bool, isProbe: Bool = false) {
        guard count > 0 else { return }
        copiesLeft = count
        copyIsOpen = isOpen
        copyIsProbe = isProbe
        lastCopy.removeAll(keepingCapacity: true)
        lastCopy.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
    }

    /// Copies of an OPEN (one ackSeq, so the server acts once; each copy of a first OPEN draws
    /// its own CHALLENGE). Each unanswered round is evidence of loss and adds two, up to eight
    /// (under 50% loss each way a copy draws an answer one time in four, so eight all fail one
    /// time in ten). Before any CHALLENGE the loss rate is unknown and a lost round costs the
    /// whole initial timeout (100 ms, hundreds of round trips on a fast path), so such a round
    /// goes in two more: under 30% loss each way four copies all fail one time in fifteen, where
    /// two failed one time in four, and a quarter of all transfers paid 100 ms. Once a CHALLENGE
    /// has come, a lost OPEN costs one request timeout.
    static func openCopies(unansweredRounds: UInt32, answeredBefore: Bool) -> Int {
        Int(min(2 * (unansweredRounds + 1) + (answeredBefore ? 0 : 2), 8))
    }

    private var openCount: UInt32 {
        if case .start(let n) = config.mode { return n }
        return 0
    }

    private mutating func nextAckSeq() {
        ackSeq &+= 1
        if ackSeq == 0 { ackSeq = 1 }
    }

    /// Sends an ACK. `collected`: `ranges` already holds this ACK's requests, marked with its ackSeq.
    mutating func sendAck(flags: AckMessage.Flags, now: Instant, into buffer: UnsafeMutableRawBufferPointer,
                          collected: Bool = false) -> Int {
        // Judged on the ACKs already sent, before this one takes the next ackSeq.
        let liveFrom = collected ? nil : requestTimeout.flatMap { liveRequests(now: now, timeout: $0).liveFrom }
        nextAckSeq()
        if flags.contains(.done) {
            ranges.removeAll(keepingCapacity: true)
        } else if !collected {
            // A first probe asks for what is eligible like any ACK: requests younger than the
            // request timeout may still be answered, and asking again would only duplicate the
            // answer. A second unanswered probe means everything outstanding was lost.
            window.collectRequests(into: &ranges, limit: Limits.maxAckRanges, ackSeq: ackSeq, drained: drained,
                                   liveFrom: liveFrom, force: flags.contains(.probe) && probes.attempts >= 2)
        }
        // A sample taken through a retransmission queue is too long, never too short.
        ackSendTimes[Int(ackSeq % UInt32(Self.ackHistory))] = (ackSeq, now, !ranges.isEmpty || flags.contains(.probe))
        lastAckAt = now
        // A full ACK means more may be missing than one ACK can ask for: follow it at once with
        // another, up to what the server can queue.
        let plain = !flags.contains(.probe) && !flags.contains(.done)
        acks.sent(full: plain && ranges.count == Limits.maxAckRanges)
        if !ranges.isEmpty, let rto = requestTimeout, repairAt == .never { repairAt = now + rto }
        counters.acksSent += 1
        counters.datagramsSent += 1
        if flags.contains(.probe) { counters.probesSent += 1 }
        counters.rangesRequested += UInt64(ranges.count)
        for r in ranges { counters.numbersRequested += UInt64(r.count) }
        let highest = flags.contains(.done) ? window.cumulative : window.highest
        return ranges.withUnsafeBufferPointer { rangeBuffer in
            let ack = AckMessage(flags: flags, tag: config.tag, clientID: config.clientID, token: token, ackSeq: ackSeq,
                                 cumulative: window.cumulative, highest: highest, ranges: AckRanges(rangeBuffer))
            return WireEncoder.encode(ack, into: buffer)
        }
    }
}
