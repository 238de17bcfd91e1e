/// The client's whole protocol logic, with no I/O: `handle` each datagram, `poll` for what to
/// send (it also fires timers), and call `poll` again no later than `nextDeadline`.
///
/// Key invariant: the client reports `finished` with a passing result only when it has received
/// every index below n exactly once in its checksum and the TRAILER's CRC and sum both match.
///
/// The policies live in small types of their own: `AckSchedule` (when to acknowledge),
/// `ProbeSchedule` (how long silence may last), `RoundTripEstimator`, `LossEstimator`, and the
/// request bookkeeping of `ReceiveWindow` (what may be asked for again).
///
/// Thread-safety: a value with no references in it, so `Sendable`: a copy may move to another
/// task or thread and run there; as for any `var`, one owner mutates it at a time.
public struct ClientEngine: Sendable {
    public let config: ClientConfig
    public internal(set) var status: ClientStatus = .connecting
    public internal(set) var counters = ClientCounters()

    var window: ReceiveWindow
    private var random: SplitMix64
    var token: UInt64 = 0
    private(set) public var total: UInt32?
    private var trailer: TrailerMessage?

    var ackSeq: UInt32 = 1
    /// Newest ackSeq whose requests the server says it has sent.
    var drained: UInt32 = 0
    /// When each recent ACK left, by ackSeq modulo the ring size: for round-trip samples and to
    /// tell which requests have timed out.
    var ackSendTimes = [(seq: UInt32, at: Instant, requested: Bool)](repeating: (0, .zero, false), count: ClientEngine.ackHistory)
    static let ackHistory = 256
    var ranges: [IndexRange] = []

    var lastReceived: Instant
    var lastDataAt: Instant?
    /// When the latest DATA carrying new numbers (at or beyond `highest`) arrived.
    var lastNewDataAt: Instant = .zero
    private var lastDataEnd: UInt32 = 0
    var lastAckAt: Instant = .never
    var roundTrip = RoundTripEstimator()
    /// The server's pace on an undisturbed stream, excluding gaps our own ACK may have caused:
    /// it sets the acknowledgement delay, which must never feed back into it.
    private var pace = RecentMinimum()
    /// Back-to-back gaps in a row that held an ACK or a probe of ours.
    private var ackClockedGaps: UInt8 = 0
    static let ackClockedGapsForgettingPace: UInt8 = 8
    /// Every gap between two new in-order DATA, including those an ACK released: how long the
    /// stream may pause before silence means loss.
    private var arrivalGap = RecentMinimum()
    var loss = LossEstimator()
    var probes = ProbeSchedule()
    var acks = AckSchedule()

    var openOwed = true
    /// OPEN rounds sent whose answer has not (yet) come: sets how many copies the next one gets.
    var openRoundsUnanswered: UInt32 = 0
    var openSentAt: Instant?
    var probeOwed = false
    /// Copies of the last OPEN or probe still to send (all with one ackSeq), and its bytes.
    var copiesLeft = 0
    var copyIsOpen = false
    var copyIsProbe = false
    var lastCopy: [UInt8] = []
    var doneCopiesOwed = 0
    var doneCopiesLeft = 4
    var retryAt: Instant = .never
    /// When the oldest outstanding request times out and is asked for again.
    var repairAt: Instant = .never

    public init(config: ClientConfig, now: Instant, randomSeed: UInt64) {
        do { try config.validate() } catch { preconditionFailure("\(error)") }
        self.config = config
        var capacity = config.window
        if case .start(let n) = config.mode { capacity = min(capacity, max(n, Limits.minWindow)) }
        self.window = ReceiveWindow(capacity: capacity)
        self.random = SplitMix64(seed: randomSeed)
        self.lastReceived = now
        ranges.reserveCapacity(Limits.maxAckRanges)
    }

    /// Every index below this has been received.
    public var cumulative: UInt32 { window.cumulative }
    /// The window the client advertises (its buffer's real size).
    public var advertisedWindow: UInt32 { window.capacity }
    /// The smoothed round trip, once measured.
    public var roundTripEstimate: Nanoseconds? { roundTrip.smoothed }
    /// The server's undisturbed pace, once measured.
    public var paceEstimate: Nanoseconds? { pace.value }
    /// The loss rate the client sees on new DATA, 0 to 1.
    public var lossEstimate: Double { loss.rate }
    /// Numbers known to be missing below the highest index seen.
    public var missing: UInt32 { window.missing }

    public var nextDeadline: Instant? {
        if status.isOver { return doneCopiesOwed > 0 ? .zero : nil }
        if openOwed || probeOwed || copiesLeft > 0 || doneCopiesOwed > 0 || acks.urgent { return .zero }
        return min(retryAt, acks.deadline, repairAt, lastReceived + config.giveUpAfter)
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
            // Every copy of a first OPEN draws a CHALLENGE with the same token: only the first
            // is answered, or a second OPEN would make the server rewind a stream just started.
            let known = m.token == token
            token = m.token
            heard(now)
            if case .connecting = status {
                if known { return }
                // The round was answered; loss seen on it still earns the token's OPEN copies.
                openRoundsUnanswered = openRoundsUnanswered > 0 ? openRoundsUnanswered - 1 : 0
                openOwed = true
            } else {
                acks.send(.token)
            }
        case .reject(let m) where m.tag == config.tag:
            guard !status.isOver else { return }
            status = .failed(.rejected(m.reason))
        case .data, .trailer, .challenge, .reject:
            counters.invalidDropped += 1   // another process's tag
        case .open, .ack:
            counters.invalidDropped += 1   // a client-to-server type sent to the client
        }
    }

    private mutating func heard(_ now: Instant) {
        if probes.attempts > 0, case .streaming = status { counters.recoveries += 1 }
        if let sent = openSentAt, roundTrip.sampleCount == 0 { roundTrip.add(now - sent) }
        lastReceived = now
        probes.answered()
        probeOwed = false
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
        notePace(m, now: now)
        heard(now)
        counters.dataReceived += 1
        noteEcho(m.echo, now: now)

        let highestBefore = window.highest
        let count = UInt32(m.numbers.count)
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
        counters.numbersReceived += UInt64(count)
        window.advance()
        if m.index >= highestBefore {
            lastNewDataAt = now
            loss.delivered()
            if m.index > highestBefore {
                // The gap stands for this many lost datagrams of the same size.
                loss.lost(datagrams: max((m.index - highestBefore) / max(count, 1), 1))
                acks.send(.gapOpened)
            }
        } else if stored > 0 && window.missing > 0 {
            // A retransmission arrived, so the server's queue has room again: ask for the next
            // ranges now rather than a round trip later (ACK clocking keeps recovery at full rate).
            acks.send(.queueHasRoom)
        }
        if stored > 0 {
            acks.received(numbers: stored, now: now, pace: pace.value, window: window.capacity, config: config)
        }
        if window.missing > 0 || awaitingTrailer, repairAt == .never, let rto = requestTimeout { repairAt = now + rto }
        checkCompletion(now: now)
    }

    /// Pace samples come only from back-to-back in-order datagrams of an undisturbed stream (no
    /// probe since the last one, nothing missing): a datagram that ends a stall would inflate the
    /// estimate, which would slow the probes, which would inflate it further. The pace that sets
    /// the ACK delay also excludes gaps our own ACK may have released (one that left less than two
    /// round trips before this arrival): a server blocked on its window answers each ACK at once,
    /// and counting that gap would lengthen the delay that lengthens the gap.
    private mutating func notePace(_ m: DataMessage, now: Instant) {
        defer {
            lastDataAt = now
            lastDataEnd = m.index &+ UInt32(m.numbers.count)
        }
        guard let last = lastDataAt, m.index == lastDataEnd, m.index == window.highest else { return }
        // A stream whose every gap holds an ACK or a probe of ours is clocked by them and has no
        // pace of its own: a sample that entered the pace before (a stall of either process
        // inflates one) would otherwise stay the minimum for good, since no later gap counts.
        let ackInGap = lastAckAt != .never && lastAckAt >= last
        ackClockedGaps = ackInGap ? ackClockedGaps + 1 : 0
        if ackClockedGaps >= Self.ackClockedGapsForgettingPace {
            pace.reset()
            ackClockedGaps = 0
        }
        guard probes.attempts == 0 else { return }
        let gap = min(now - last, .seconds(10 as UInt64))
        // Back-to-back new DATA measure how long the stream may pause even while older holes
        // are being repaired: under steady loss the stream is never whole, and without a gap
        // the probe timer falls back to its 1.5 s guess.
        arrivalGap.add(gap)
        guard window.missing == 0 else { return }
        let released = ackInGap && now - lastAckAt < max((roundTrip.minimum ?? .milliseconds(5)) * 2, .milliseconds(1))
        if !released { pace.add(gap) }
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
        if window.cumulative < m.total { acks.send(.tailMissing) }
        checkCompletion(now: now)
    }

    private mutating func noteEcho(_ echo: UInt32, now: Instant) {
        guard isNewer(echo, than: drained) else { return }
        drained = echo
        // Only an ACK that asked for something is answered at once; the echo of any other rides
        // on whatever DATA happens to follow, and would measure the stream, not the path.
        let entry = ackSendTimes[Int(echo % UInt32(Self.ackHistory))]
        if entry.seq == echo && entry.requested { roundTrip.add(now - entry.at) }
        // The server has sent all it was asked: anything asked for and still missing is lost.
        if window.missing > 0 { acks.send(.requestsServed) }
    }

    /// Every number has arrived but the TRAILER (lost, or still on its way) has not: an ACK that
    /// acknowledges everything makes the server send it again, so it is a request like any other.
    var awaitingTrailer: Bool {
        guard let total, trailer == nil else { return false }
        return window.cumulative == total
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
        acks.cancel(); probeOwed = false; copiesLeft = 0; openOwed = false
        repairAt = .never
    }

    // MARK: Timing

    var requestTimeout: Nanoseconds? { roundTrip.requestTimeout(floor: config.minRequestTimeout) }

    /// How long silence may last before the client asks again, lengthened by up to 25% at random
    /// so that many clients do not probe in step (never shortened: the base is already the least
    /// silence that means loss). At the backoff cap the jitter goes the other way, down to 80%,
    /// so that the wait after an outage never exceeds `maxBackoff`.
    mutating func probeTimeout() -> Nanoseconds {
        var streaming = false
        if case .streaming = status { streaming = true }
        let wait = probes.timeout(streaming: streaming, requestTimeout: requestTimeout, arrivalGap: arrivalGap.value,
                                  patience: loss.probePatience, config: config)
        let u = random.nextUnitDouble()
        if probes.attempts > 0 && wait == config.maxBackoff {
            return Nanoseconds(UInt64(Double(wait.value) * (0.8 + 0.2 * u)))
        }
        return Nanoseconds(UInt64(Double(wait.value) * (1 + 0.25 * u)))
    }
}
