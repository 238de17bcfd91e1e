/// The client's whole protocol logic, with no I/O: `handle` each datagram, `poll` for what to
/// send (it also fires timers), and call `poll` again no later than `nextDeadline`.
///
/// Key invariant: the client reports `finished` with a passing result only when it has received
/// every index below n exactly once in its checksum and the TRAILER's CRC and sum both match.
public struct ClientEngine {
    public let config: ClientConfig
    public private(set) var status: ClientStatus = .connecting
    public private(set) var counters = ClientCounters()

    private var window: ReceiveWindow
    private var random: SplitMix64
    private var token: UInt64 = 0
    private(set) public var total: UInt32?
    private var trailer: TrailerMessage?

    private var ackSeq: UInt32 = 1
    /// Newest ackSeq whose requests the server says it has sent.
    private var drained: UInt32 = 0
    private var ackSendTimes = [(seq: UInt32, at: Instant)](repeating: (0, .zero), count: 64)
    private var ranges: [IndexRange] = []

    private var startedAt: Instant
    private var lastReceived: Instant
    private var lastDataAt: Instant?
    private var lastDataEnd: UInt32 = 0
    private var roundTrip = RecentMinimum()
    private var pace = RecentMinimum()
    private var backoff: UInt32 = 0
    private var numbersSinceAck: UInt32 = 0
    private var ackBurst = 0

    private var openOwed = true
    private var openSentAt: Instant?
    private var ackOwed = false
    private var probeOwed = false
    private var doneCopiesOwed = 0
    private var doneCopiesLeft = 4
    private var retryAt: Instant = .never
    private var ackAt: Instant = .never

    public init(config: ClientConfig, now: Instant, randomSeed: UInt64) {
        do { try config.validate() } catch { preconditionFailure("\(error)") }
        self.config = config
        var capacity = config.window
        if case .start(let n) = config.mode { capacity = min(capacity, max(n, Limits.minWindow)) }
        self.window = ReceiveWindow(capacity: capacity)
        self.random = SplitMix64(seed: randomSeed)
        self.startedAt = now
        self.lastReceived = now
        ranges.reserveCapacity(Limits.maxAckRanges)
    }

    /// Every index below this has been received.
    public var cumulative: UInt32 { window.cumulative }
    /// The window the client advertises (its buffer's real size).
    public var advertisedWindow: UInt32 { window.capacity }
    /// The round-trip estimate (nil until measured), for reports.
    public var roundTripEstimate: Nanoseconds? { roundTrip.value }
    /// The server's pace as measured between in-order DATA (nil until measured), for reports.
    public var paceEstimate: Nanoseconds? { pace.value }
    /// Indices below `highest` not received yet.
    public var missing: UInt32 { window.missing }

    public var nextDeadline: Instant? {
        if status.isOver { return doneCopiesOwed > 0 ? .zero : nil }
        if openOwed || ackOwed || probeOwed || doneCopiesOwed > 0 { return .zero }
        return min(retryAt, ackAt, lastReceived + config.giveUpAfter)
    }

    // MARK: Input

    public mutating func handle(_ bytes: UnsafeRawBufferPointer, from source: PeerAddress, now: Instant) {
        counters.datagramsReceived += 1
        let decoded = WireDecoder.decode(bytes)
        guard case .success(let message) = decoded else {
            if case .failure(let error) = decoded { counters.decodeErrors[error, default: 0] += 1 }
            return
        }
        guard source == config.server else { counters.invalidDropped += 1; return }
        switch message {
        case .data(let m) where m.tag == config.tag: handleData(m, now: now)
        case .trailer(let m) where m.tag == config.tag: handleTrailer(m, now: now)
        case .challenge(let m) where m.tag == config.tag:
            guard !status.isOver else { return }
            counters.challengesReceived += 1
            token = m.token
            heard(now)
            if case .connecting = status { openOwed = true } else { ackOwed = true }
        case .reject(let m) where m.tag == config.tag:
            guard !status.isOver else { return }
            status = .failed(.rejected(m.reason))
        default:
            counters.invalidDropped += 1
        }
    }

    private mutating func heard(_ now: Instant) {
        if backoff > 0, case .streaming = status { counters.recoveries += 1 }
        if let sent = openSentAt, roundTrip.count == 0 { roundTrip.add(now - sent) }
        lastReceived = now
        backoff = 0
        retryAt = now + probeTimeout()
    }

    /// Checks n against what this client expects; false (and fails) on a mismatch.
    private mutating func accept(total t: UInt32) -> Bool {
        if let total { return total == t }
        switch config.mode {
        case .start(let n) where n != t, .resume(expected: .some(let n)) where n != t:
            status = .failed(.countMismatch(expected: n, actual: t))
            return false
        default:
            total = t
            if case .connecting = status { status = .streaming }
            return true
        }
    }

    private mutating func handleData(_ m: DataMessage, now: Instant) {
        if status.isOver {
            if case .finished = status, doneCopiesLeft > 0 { doneCopiesOwed = max(doneCopiesOwed, 1) }
            return
        }
        guard accept(total: m.total) else { counters.invalidDropped += 1; return }
        // The pace is measured only between back-to-back in-order datagrams of an undisturbed
        // stream: no probe since the last one and nothing missing. A datagram that ends a stall
        // (a retransmission, or new data after a probe) would inflate it, which would slow the
        // probes, which would inflate it further.
        let undisturbed = backoff == 0 && window.missing == 0
        if undisturbed, let last = lastDataAt, m.index == lastDataEnd, m.index == window.highest {
            pace.add(min(now - last, .seconds(10 as UInt64)))
        }
        lastDataAt = now
        lastDataEnd = m.index &+ UInt32(m.numbers.count)
        heard(now)
        counters.dataReceived += 1
        noteEcho(m.echo, now: now)

        let highestBefore = window.highest
        var stored: UInt32 = 0
        if window.canFoldDirectly(at: m.index) {
            // In order with nothing buffered: fold straight from the datagram, no buffer writes.
            stored = window.foldInOrder(bigEndianNumbers: m.numbers.wireBytes, digest: m.digest)
        } else {
            for (k, value) in m.numbers.enumerated() {
                switch window.store(value, at: m.index + UInt32(k)) {
                case .stored: stored += 1
                case .duplicate: counters.duplicateNumbers += 1
                case .outsideWindow: counters.outsideWindow += 1
                }
            }
        }
        counters.numbersReceived += UInt64(m.numbers.count)
        window.advance()
        if m.index > highestBefore { ackOwed = true }          // a gap opened: ask at once
        // A retransmission arrived, so the server's queue has room again: ask for the next
        // ranges now rather than a round trip later (ACK clocking keeps recovery at full rate).
        if stored > 0 && m.index < highestBefore && window.missing > 0 { ackOwed = true }
        numbersSinceAck += stored
        if numbersSinceAck >= max(window.capacity / 4, 1) { ackOwed = true }
        // A paced stream is acknowledged every few datagrams rather than after each one: at the
        // station's 1 s pace that is one ACK every 4 s instead of every second, well inside any
        // session TTL, which halves what a server with many clients must receive.
        if !ackOwed && ackAt == .never {
            let paced = min((pace.value ?? .zero) * 4, config.maxAckDelay)
            ackAt = now + max(config.ackDelay, paced)
        }
        checkCompletion(now: now)
    }

    private mutating func handleTrailer(_ m: TrailerMessage, now: Instant) {
        if status.isOver {
            if case .finished = status, doneCopiesLeft > 0 { doneCopiesOwed = max(doneCopiesOwed, 1) }
            return
        }
        guard accept(total: m.total) else { counters.invalidDropped += 1; return }
        heard(now)
        counters.trailersReceived += 1
        noteEcho(m.echo, now: now)
        if let known = trailer, known != TrailerMessage(tag: m.tag, echo: known.echo, total: m.total, sequenceCRC: m.sequenceCRC, sum: m.sum) {
            counters.invalidDropped += 1     // a second trailer that disagrees: keep the first
        } else if trailer == nil {
            trailer = m
        }
        if window.highest < m.total { window.highest = m.total }   // everything is sent: the tail is a gap
        if window.cumulative < m.total { ackOwed = true }
        checkCompletion(now: now)
    }

    private mutating func noteEcho(_ echo: UInt32, now: Instant) {
        guard isNewer(echo, than: drained) else { return }
        drained = echo
        let entry = ackSendTimes[Int(echo % 64)]
        if entry.seq == echo {
            roundTrip.add(now - entry.at)
        }
        // The server has sent all it was asked: anything asked for and still missing is lost.
        if window.missing > 0 { ackOwed = true }
    }

    private mutating func checkCompletion(now: Instant) {
        guard let total, let trailer, window.cumulative == total else { return }
        let result = ClientResult(clientID: config.clientID, total: total, sum: window.checksum.sum,
                                  expectedSum: trailer.sum, computedCRC: window.checksum.crcValue,
                                  expectedCRC: trailer.sequenceCRC)
        precondition(window.checksum.count == total, "every index is folded exactly once")
        status = .finished(result)
        // Two copies: the server forgets the session at once if either arrives.
        doneCopiesOwed = 2
        ackOwed = false; probeOwed = false; openOwed = false
    }

    // MARK: Output

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
        if now >= retryAt {
            // Silence: back off, then ask again (OPEN until the stream starts, a probe after).
            backoff = min(backoff + 1, 16)
            retryAt = now + probeTimeout()
            if case .connecting = status { openOwed = true } else { probeOwed = true }
        }
        if now >= ackAt { ackOwed = true }
        if openOwed {
            openOwed = false
            // Each OPEN is newer than the last, so the server acts on a repeat (its answer was lost).
            ackSeq &+= 1
            if ackSeq == 0 { ackSeq = 1 }
            let open = OpenMessage(tag: config.tag, clientID: config.clientID, count: openCount,
                                   resumeFrom: window.cumulative, window: window.capacity, token: token, ackSeq: ackSeq)
            // The latest attempt: if the answer was to an earlier one the sample is short, which
            // only makes the next probe early.
            openSentAt = now
            if retryAt == .never { retryAt = now + probeTimeout() }
            counters.opensSent += 1
            counters.datagramsSent += 1
            return WireEncoder.encode(open, into: buffer)
        }
        if probeOwed {
            probeOwed = false; ackOwed = false
            counters.probesSent += 1
            return sendAck(flags: .probe, now: now, into: buffer)
        }
        if ackOwed {
            ackOwed = false
            return sendAck(flags: [], now: now, into: buffer)
        }
        return nil
    }

    private var openCount: UInt32 {
        if case .start(let n) = config.mode { return n }
        return 0
    }

    private mutating func sendAck(flags: AckMessage.Flags, now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        ackSeq &+= 1
        if ackSeq == 0 { ackSeq = 1 }
        if flags.contains(.done) {
            ranges.removeAll(keepingCapacity: true)
        } else {
            window.collectRequests(into: &ranges, limit: Limits.maxAckRanges, ackSeq: ackSeq, drained: drained,
                                   force: flags.contains(.probe))
        }
        // A sample taken through a retransmission queue is too long, never too short; the
        // minimum filter in `roundTrip` discards it.
        ackSendTimes[Int(ackSeq % 64)] = (ackSeq, now)
        // A full ACK means more may be missing than one ACK can ask for: follow it at once with
        // another, up to what the server can queue.
        if !flags.contains(.probe) && !flags.contains(.done) && ranges.count == Limits.maxAckRanges && ackBurst + 1 < Limits.maxAckBurst {
            ackBurst += 1
            ackOwed = true
        } else {
            ackBurst = 0
        }
        numbersSinceAck = 0
        ackAt = .never
        counters.acksSent += 1
        counters.datagramsSent += 1
        counters.rangesRequested += UInt64(ranges.count)
        for r in ranges { counters.numbersRequested += UInt64(r.count) }
        let highest = flags.contains(.done) ? window.cumulative : window.highest
        return ranges.withUnsafeBufferPointer { rangeBuffer in
            let ack = AckMessage(flags: flags, tag: config.tag, clientID: config.clientID, token: token, ackSeq: ackSeq,
                                 cumulative: window.cumulative, highest: highest, ranges: AckRanges(rangeBuffer))
            return WireEncoder.encode(ack, into: buffer)
        }
    }

    /// How long silence may last before the client asks again: a few round trips plus a few
    /// arrival gaps (so a slow -interval is not mistaken for loss), doubled per unanswered attempt,
    /// capped,
    /// with ±20% jitter so many clients do not probe in step.
    private mutating func probeTimeout() -> Nanoseconds {
        var base: Nanoseconds
        let gap = pace.value ?? .zero
        // Attempts that keep the base before doubling starts: under heavy loss a probe and its
        // answer are often both lost, which is not yet a sign of an outage. Only once the round
        // trip and the pace are known is the base short enough for that to matter.
        var patience: UInt32 = 0
        switch (roundTrip.value, pace.value) {
        case (let rtt?, _?):
            base = max(config.minProbeTimeout, rtt * 3 + gap * 4)
            patience = 2
        // The server's pace is unknown until two DATA datagrams arrive back to back: wait long
        // enough that a slow -interval (the default is 1 s) is not mistaken for loss.
        case (let rtt?, nil):
            base = max(config.initialTimeout * 6, rtt * 3)
        default:
            base = config.initialTimeout
        }
        let doublings = UInt64(min(backoff > patience ? backoff - patience : 0, 16))
        // Backoff stops growing at maxBackoff (or three arrival gaps), but never cuts the base.
        base = min(base * (1 << doublings), max(config.maxBackoff, gap * 3, base))
        let jitter = 0.8 + 0.4 * random.nextUnitDouble()
        return Nanoseconds(UInt64(Double(base.value) * jitter))
    }
}
