/// A model-based controller in the manner of BBR: it estimates the bottleneck's bandwidth from the
/// rate at which the client's ACKs report arrivals, and the path's minimum round trip, then paces
/// at the bandwidth, probing above it one round in eight (or on a clock when its rounds are
/// slow) and draining below it the next.
///
/// Loss alone does not slow it down: users inject random loss on purpose, and a sender that
/// halved its rate at every loss would throw away what loss recovery wins. Arrivals are counted
/// by stream position (`highest`), so a randomly lost datagram still counts as carried by the
/// path. What marks a full queue is loss *above* the background rate the controller has learnt in
/// rounds without congestion, judged with a binomial margin, *and* a round trip grown past the
/// minimum, in every phase: random loss lengthens no round trip (the one exception: a start-up
/// round that loses more than half of what passed, more than any random loss the station pays
/// for in full, is a queue the session started behind). Then the estimate is cut to what
/// the path really delivered, the window is bounded by β times what was in flight (and grows
/// back one datagram per round, as a loss-based flow's does), and the queue drained. The round
/// trips that judge it are measured from the datagram each ACK reports (`SendTimes`), so the
/// client's ACK delay does not read as a queue.
///
/// One round is the time from sending a marked datagram until an ACK reports it arrived (or
/// anything beyond it): each gives one round-trip sample and one bandwidth sample.
public final class ModelController: CongestionController {
    /// Where a new session starts: 12 Mbit/s, a full datagram every 0.8 ms.
    static let initialRate = 1_500_000.0
    /// A new session sends its first this many DATA back to back, as TCP and QUIC send their
    /// initial window, and paces from there. From a single DATA at 12 Mbit/s, start-up on a fast
    /// path waited for that one DATA's ACK, and when either was lost (half the time at 30% loss
    /// each way) for the next DATA 0.8 ms later: 65,535 numbers on loopback under 30% loss took
    /// 1.14 times as long as `-cc none`; with two 1.08, three 1.06, four 1.03 (200 transfers each,
    /// alternating). Not four: the simulator's ten clients starting together on a 5 ms path then
    /// kept Jain's index at 0.61 over 16 seeds, against 0.69 with three or none; ten, as TCP's,
    /// sent five times the minimum.
    static let initialBurst = 3
    /// The pacing rate while the initial burst lasts: no gap at all between its DATA.
    static let burstRate = Double.infinity
    /// A cruising session whose rounds are slow (longer than `slowRoundFactor` minimum round
    /// trips: its pace, not the path, sets them) probes up at least this often: a session cut to
    /// a trickle beside nine others had rounds of one datagram each, and eight of them took a
    /// third of a second, so it stayed a trickle.
    static let probeInterval = Nanoseconds.milliseconds(100)
    static let slowRoundFactor: UInt64 = 4
    /// …or this many minimum round trips, where those are longer.
    static let probeIntervalRounds: UInt64 = 16
    /// The largest share of a round's numbers that may be retransmissions and still count as
    /// carried by the path (see `endRound`).
    static let maxRepairShare = 0.5
    /// Never slower than 100 kbit/s, so a session always makes progress and keeps measuring.
    static let minimumRate = 12_500.0
    /// Start-up grows the rate by this factor per round (2/ln 2, as BBR).
    static let startupGain = 2.885
    /// The probing cycle, one round per entry: up, down, then six rounds at the estimate.
    static let cycleGains: [Double] = [1.25, 0.75, 1, 1, 1, 1, 1, 1]
    /// Start-up ends after this many rounds without 25% growth.
    static let plateauRounds = 3
    /// The smallest window: the client acknowledges every 16 DATA, so a window must hold that
    /// many full datagrams and a few more to keep sending while that ACK returns. No larger:
    /// on a path whose round trip is a fraction of a millisecond this floor, not the bandwidth-
    /// delay product, is what sits in the bottleneck's queue, and at 48 datagrams it filled a
    /// 60 KB queue and left a TCP flow beside it 0.16 of the link.
    static let minimumWindow = 20 * Limits.maxDatagramSize
    /// The window covers at least this long a round trip. A receiver that is itself the
    /// bottleneck (a client working through its socket buffer: loopback, hundreds of MB/s)
    /// answers 0.3 to 2.6 ms after a datagram whose path takes tens of microseconds, and a window
    /// of the path's round trip holds the sender on it: over 250 µs, 1,000,000 numbers on
    /// loopback at 30% loss took 1.15 times as long as `-cc none` (two sets of 200 transfers
    /// each), over 1 ms 6% less (a paired set of 200), over 2 ms 3% less again. Not longer: the
    /// window is what a start-up that overshoots puts in a shallow queue, and over 2 ms a real
    /// 10 Mbit/s link with a 10 KB queue was sent 1.13 to 2.88 times the minimum; over 1 ms it is
    /// sent 1.05 to 1.06, as over 250 µs. A session that has seen a queue overflow takes the
    /// shorter `congestedWindowTime` from then on.
    static let minimumWindowTime = Nanoseconds.milliseconds(1)
    /// …but only this long once the session has seen a queue overflow (a congested round): a
    /// path that has shown one is a network bottleneck, not a slow receiver, and over 1 ms a real
    /// 200 Mbit/s link with a 10 KB queue was sent 1.02 to 1.20 times the minimum (1.001 over
    /// 250 µs). This covers the client's 250 µs quiet timer and a host's scheduling.
    static let congestedWindowTime = Nanoseconds.microseconds(250)
    /// After congestion the window is bounded by what was in flight when the queue overflowed,
    /// times this (as CUBIC's β), so that a loss-based flow sharing the queue gets room back…
    static let inflightBeta = 0.7
    /// …but never below this many bandwidth-delay products at the cut estimate.
    static let inflightPipeGain = 1.25
    /// The bound grows back by this many bytes per round without congestion (one datagram per
    /// round trip, as Reno), and is dropped once it reaches the model's window.
    static let inflightGrowth = Double(Limits.maxDatagramSize)
    /// A congested session whose estimate is above the mean of its host's competing sessions is
    /// cut to this share of its usual cut, though never below the mean (`HostBandwidth`): the
    /// sessions above it give way and those below keep what they deliver, so each overflow moves
    /// the host's sessions towards equal shares. In the simulator at f87c077 (ten clients of one
    /// host, 50 Mbit/s, a 60 KB queue, 8 seeds) Jain's index was 0.889 at 50 µs and 0.681 at 5 ms
    /// without it, 0.986 and 0.705 at 0.7, 0.994 and 0.738 at 0.5, and 0.994 and 0.782 cut to the
    /// mean itself, where the 5 ms link's share fell from 0.826 to 0.790 (0.815 at 0.5).
    static let aboveMeanShare = 0.5
    /// The bandwidth estimate is the largest sample of the last two slots of this many rounds.
    static let slotRounds = 5
    /// A minimum round trip older than this is replaced by the next sample.
    static let minRTTLifetime = Nanoseconds.seconds(10 as UInt64)
    /// Loss above the background by more than this (and the binomial margin) is congestion.
    static let lossMargin = 0.03
    /// A round trip above min + min/64 + this means a queue is building. Small, because the round
    /// trip it is compared with is measured from the datagram each ACK reports (`SendTimes`), not
    /// padded by the client's ACK delay: a 10 KB queue at 200 Mbit/s adds only 400 µs.
    static let queueDelaySlack = Nanoseconds.microseconds(100)

    private(set) var phase: CongestionSnapshot.Phase = .startup
    private var cycleIndex = 0
    private var bandwidth: Double = 0
    private var slotMax: (current: Double, previous: Double) = (0, 0)
    private var roundsInSlot = 0
    private var minRTT: Nanoseconds?
    private var minRTTAt = Instant.zero
    private var fullBandwidth: Double = 0
    private var roundsWithoutGrowth = 0
    private var background: Double?
    private var drainRounds = 0
    private var transitioned = false
    /// A round of this session has been congested: its window's round trip floor is the short one.
    private var hasOverflowed = false
    /// Where the stream's sent end stood at the last congested round: a round whose positions
    /// start below it counts datagrams that met that overflow.
    private var overflowEnd: UInt32 = 0

    // The open round: the mark and the totals when it was sent.
    private var markActive = false
    private var markEnd: UInt32 = 0
    private var markAt = Instant.zero
    private var markHighest: UInt32 = 0
    /// When the ACK that reported `markHighest` arrived: arrivals are counted between two ACKs.
    private var markHighestAt = Instant.zero
    private var markTotals = Totals()
    /// The smallest round trip measured in the open round from the datagram an ACK reported.
    private var roundMinRTT: Nanoseconds?
    /// The smallest of the last few such samples, across rounds: what the queue holds now (the
    /// round's minimum shows its start), without the one ACK in a few that a timer delayed.
    private var recentRTT = RecentMinimum(keeping: ModelController.recentRTTSamples)
    private var recentRTTFresh = false
    static let recentRTTSamples = 4
    private var sendTimes = SendTimes()
    /// Where the stream stood when the session last ran into the client's window (or the
    /// stream's end): a round marked at or below it includes time the sender had nothing new to send.
    private var limitedThrough: UInt32 = 0
    private var lastProbeUpAt = Instant.zero

    private struct Totals {
        var bytes: UInt64 = 0
        var numbers: UInt64 = 0
        var newNumbers: UInt64 = 0
        var lost: UInt64 = 0
        var datagrams: UInt64 = 0
    }
    private var totals = Totals()
    private var highest: UInt32 = 0
    private var highestAt = Instant.zero
    private var sentEnd: UInt32 = 0
    private var bytesPerNumber: Double = 4
    private var previousSendRate: Double = 0
    /// The bound on bytes in flight learnt from congestion (nil: none, the model's window holds).
    private var inflightHigh: Double?
    /// The most in flight after any DATA of the open round.
    private var roundMaxInflight: Double = 0

    /// The rate the model paces at; `pacingRate` is this once the initial burst has left.
    private var modelRate: Double = ModelController.initialRate

    /// No gap until the controller has seen its first `initialBurst` DATA.
    public var pacingRate: Double { totals.datagrams < UInt64(Self.initialBurst) ? Self.burstRate : modelRate }

    /// A session whose host already has live sessions starts from what they learnt
    /// (`PathEnsembles`): the smallest minimum round trip and their background loss, not its own
    /// first round's, which may already sit behind a queue they fill and lose what overflows it.
    /// Until such a session has a background loss (shared, or learnt in a round that showed no
    /// queue), it judges loss against none.
    private let joinedOthers: Bool
    /// A session that joined others and has no background loss yet: it judges loss against none,
    /// and learns a background only from a round that shows no queue.
    private var awaitingBackground: Bool { joinedOthers && background == nil }

    /// The summed estimates of this session's host (nil: it shares nothing, or has left), and
    /// this session's part of that sum while it is counted in it (its last round measured the path).
    private var host: HostBandwidth?
    private var hostContribution: Double?

    public convenience init(now: Instant, shared: SharedPath? = nil) {
        self.init(now: now, shared: shared, host: nil)
    }

    init(now: Instant, shared: SharedPath?, host: HostBandwidth?) {
        joinedOthers = shared != nil
        self.host = host
        minRTT = shared?.minRTT
        // A shared minimum ages from its measurement, as this controller's own would.
        minRTTAt = shared?.measuredAt ?? now
        background = shared?.backgroundLoss
        highestAt = now
        // The slow-round probe counts from here, not from the clock's zero (the machine's boot).
        lastProbeUpAt = now
    }

    /// Twice the estimated bandwidth-delay product (the round trip at least `minimumWindowTime`),
    /// but never below `minimumWindow`; in start-up and drain the start-up gain more, so that a
    /// round sent at that gain is not held by an estimate that lags it by a round. Within that,
    /// the bound learnt from congestion (`inflightHigh`).
    public var window: Int {
        let model = modelWindow
        guard let inflightHigh, model > 0 else { return model }
        return min(model, Int(inflightHigh))
    }

    private var modelWindow: Int {
        guard let minRTT, bandwidth > 0 else { return 0 }
        let gain = phase == .startup || phase == .drain ? 2 * Self.startupGain : 2
        let rtt = max(minRTT, hasOverflowed ? Self.congestedWindowTime : Self.minimumWindowTime)
        return max(Int(gain * bandwidth * rtt.seconds), Self.minimumWindow)
    }

    public var isWindowFull: Bool {
        let w = window
        return w > 0 && bytesInFlight >= Double(w)
    }

    public var snapshot: CongestionSnapshot {
        CongestionSnapshot(phase: phase, pacingRate: modelRate, bandwidth: bandwidth, minRTT: minRTT,
                           window: window, backgroundLoss: background ?? 0)
    }

    public var sharedPath: SharedPath? {
        minRTT.map { SharedPath(minRTT: $0, measuredAt: minRTTAt, backgroundLoss: background) }
    }

    public func takeTransition() -> CongestionSnapshot? {
        guard transitioned else { return nil }
        transitioned = false
        return snapshot
    }

    public func onSent(bytes: Int, numbers: UInt32, newNumbers: UInt32, end: UInt32, now: Instant) {
        // With nothing in flight the path was idle, waiting on this sender: arrivals are counted
        // from now, not from the last ACK, or the idle time reads as a slow path (as BBR's rate
        // samples do). In start-up the second round follows the first ACK by the first gap.
        if newNumbers > 0 && sentEnd <= highest { highestAt = now }
        // The round opened by this datagram counts it: a slow round may hold nothing else.
        if !markActive && newNumbers > 0 {
            markActive = true
            markEnd = end
            markAt = now
            markHighest = highest
            markHighestAt = highestAt
            markTotals = totals
        }
        totals.bytes &+= UInt64(bytes)
        totals.numbers &+= UInt64(numbers)
        totals.newNumbers &+= UInt64(newNumbers)
        totals.datagrams &+= 1
        // Only new numbers move the end: after a rewind the stream is sent again below it.
        if newNumbers > 0 && end > sentEnd { sentEnd = end }
        if newNumbers > 0 { sendTimes.record(end: end, at: now) }
        roundMaxInflight = max(roundMaxInflight, bytesInFlight)
    }

    public var reportedThrough: UInt32 { highest }

    public func onRemoved() {
        if let hostContribution { host?.leave(from: hostContribution) }
        host = nil
        hostContribution = nil
    }

    public func onFlowLimited() {
        limitedThrough = sentEnd
    }

    public func onLoss(numbers: UInt32, now: Instant) {
        totals.lost &+= UInt64(numbers)
    }

    public func onRewind(to position: UInt32) {
        sentEnd = max(min(sentEnd, position), highest)
    }

    public func onAck(cumulative: UInt32, highest reported: UInt32, now: Instant) {
        let seen = max(reported, cumulative)
        if seen > highest {
            highest = seen
            highestAt = now
            // A new highest: this ACK reports the arrival of the datagram that ended there.
            if let sentAt = sendTimes.sentAt(end: seen) {
                let sample = now - sentAt
                roundMinRTT = min(roundMinRTT ?? sample, sample)
                recentRTT.add(sample)
                recentRTTFresh = true
            }
        }
        guard markActive, highest >= markEnd else { return }
        markActive = false
        endRound(now: now)
    }

    // MARK: Rounds

    private func endRound(now: Instant) {
        let rtt = now - markAt
        let pathRTT = roundMinRTT, currentRTT = recentRTTFresh ? recentRTT.value : nil
        roundMinRTT = nil
        recentRTTFresh = false
        // The path's round trip comes from per-datagram samples; the round's own span (which
        // holds the client's ACK delay) stands in only until there is one.
        if let sample = pathRTT ?? (minRTT == nil ? rtt : nil) {
            if let m = minRTT, sample >= m, now - minRTTAt < Self.minRTTLifetime {} else { minRTT = sample; minRTTAt = now }
        }
        defer { roundMaxInflight = bytesInFlight }
        let round = Totals(bytes: totals.bytes &- markTotals.bytes, numbers: totals.numbers &- markTotals.numbers,
                           newNumbers: totals.newNumbers &- markTotals.newNumbers, lost: totals.lost &- markTotals.lost,
                           datagrams: totals.datagrams &- markTotals.datagrams)
        let positions = highest &- markHighest
        // Arrivals between the ACK before the mark and this one, over the time between them, so
        // that a round trip measured short cannot inflate the rate.
        // (Without an ACK in the last two round trips, the round trip itself is the span.)
        let sinceAck = now - markHighestAt
        let span = sinceAck > rtt * 2 ? rtt : sinceAck
        guard span.value > 0, rtt.value > 0, round.newNumbers > 0, positions > 0 else { return }
        bytesPerNumber = Double(round.bytes) / Double(round.numbers)
        // Bytes the path carried per second: arrivals by position, each standing for the bytes
        // (retransmissions included) it took to send one new number in this round.
        // The cost per new number is credited only up to `maxRepairShare` of the round spent on
        // repair: random loss of up to a half (what users inject) is paid for in full, but a round
        // that is mostly retransmissions is a flood, and crediting it fed the flood (one of ten
        // clients at once reached 120 MB/s on a 6 MB/s link and sent 20 times the minimum).
        let newShare = max(Double(round.newNumbers) / Double(round.numbers), 1 - Self.maxRepairShare)
        let arrivals = Double(positions) * Double(round.bytes) / Double(round.numbers) / newShare / span.seconds
        // The path cannot deliver faster than it was sent to (a burst of ACKs can look so): the
        // arrivals of a round are mostly what the round before it sent.
        let sendRate = Double(round.bytes) / rtt.seconds
        let sample = min(arrivals, max(sendRate, previousSendRate) * 1.25)
        previousSendRate = sendRate
        // Losses are reported as the client's `highest` passes them, so they are measured against
        // the positions that passed in the same round, counted in datagrams for the margin.
        let loss = min(Double(round.lost) / Double(positions), 1)
        let numbersPerDatagram = Double(round.numbers) / Double(max(round.datagrams, 1))
        let queueDelayed = currentRTT.map(queueBuilding) ?? false
        let limited = markEnd <= limitedThrough
        // A session that joined others judges loss against none until it has seen a round without
        // a queue: its first rounds' loss may be that queue's overflow, not the path's background.
        let judgedBackground = awaitingBackground ? 0 : background
        let excessLoss = isAboveBackground(loss: loss, background: judgedBackground,
                                           datagrams: Double(positions) / max(numbersPerDatagram, 1))
        // Random loss, whatever its rate, lengthens no round trip: loss counts as congestion only
        // beside a queue that the round trip shows, in every phase. (Judging loss alone while
        // growing made a start-up under 30% random loss cut to a few kbit/s.)
        // …except in start-up when more than half the numbers that passed were lost: more than
        // any random loss the station pays for in full (`maxRepairShare`), and what a session
        // that starts beside a full queue sees (its first round trip already holds the queue, so
        // no later one shows it, and by position its arrivals track its own growing rate).
        let overflowing = phase == .startup
            && isAboveBackground(loss: loss, background: Self.maxRepairShare, datagrams: Double(positions) / max(numbersPerDatagram, 1))
        let congested = (excessLoss && queueDelayed) || overflowing

        if congested {
            hasOverflowed = true
            overflowEnd = sentEnd
            // What really got through: the arrivals less the loss above the background.
            let excess = max(loss - (background ?? 0), 0)
            let delivered = sample * (1 - excess)
            var cut = min(max(delivered, bandwidth * 0.5), bandwidth > 0 ? bandwidth : delivered)
            if let mean = host?.mean, cut > mean { cut = max(mean, cut * Self.aboveMeanShare) }
            bandwidth = cut
            slotMax = (cut, cut)
            roundsInSlot = 0
            // A loss-based flow in the same queue backs off by its β and grows one datagram per
            // round: bounding what is in flight the same way leaves it its share, which pacing
            // at a (max-filtered) bandwidth estimate alone does not.
            let base = min(roundMaxInflight, inflightHigh ?? roundMaxInflight)
            // Never below the bandwidth-delay product at the cut estimate and a quarter (for the
            // client's ACK cadence), though: on a long path a queue overflowed by a probing round
            // would otherwise leave the window short of the pipe for the hundreds of rounds it
            // takes to grow back (simulated 200 Mbit/s, 10 ms, a 10 KB queue: 0.80 of the link at
            // one product, 0.82 at 1.25, 0.86 with no bound at all).
            let pipe = Self.inflightPipeGain * cut * (minRTT?.seconds ?? 0)
            inflightHigh = max(base * Self.inflightBeta, pipe, Double(Self.minimumWindow))
        } else {
            if let high = inflightHigh {
                let grown = high + Self.inflightGrowth
                inflightHigh = grown >= Double(modelWindow) ? nil : grown
            }
            // A round whose positions start below the end sent when the queue last overflowed
            // still reports that overflow's losses (the client reports a gap as its `highest`
            // passes it). Credited as carried, as random loss is, they read as bandwidth, and as
            // background they hid the next overflow: after a start-up that overflowed a 10 KB
            // queue at 10 Mbit/s, a drain round of two positions, one of them lost, doubled the
            // estimate and taught a background of 6%, and the session sent 1.09 times the
            // minimum (simulated, 50 µs); crediting only what arrived, 1.01.
            let overflowTail = markHighest < overflowEnd
            let credited = overflowTail ? sample * (1 - loss) : sample
            // A round held back by the client's window (or the stream's end) measured the sender,
            // not the path: it may raise the estimate but not age it out (as BBR's app-limited
            // samples).
            if !limited || credited >= bandwidth { addSample(credited) }
            // Learn the background loss only where no queue is to blame.
            if !overflowTail && phase != .probeUp && !(awaitingBackground && queueDelayed) {
                background = min(background.map { $0 * 0.875 + loss * 0.125 } ?? loss, Self.maxRepairShare)
            }
        }

        switch phase {
        case .startup:
            if bandwidth >= fullBandwidth * 1.25 { fullBandwidth = bandwidth; roundsWithoutGrowth = 0 } else if !limited { roundsWithoutGrowth += 1 }
            if congested || roundsWithoutGrowth >= Self.plateauRounds { enter(.drain) }
        case .drain:
            drainRounds += 1
            if bytesInFlight <= bandwidth * (minRTT?.seconds ?? 0) || drainRounds >= 3 { startCycle(at: 2, now: now) }
        case .probeUp, .probeDown, .cruise:
            // More in flight than the window is a standing queue that no loss has cut (a deep
            // queue can hold seconds of it, long enough for the client to probe and the server to
            // send it all again): probe down until it drains.
            if (congested && phase != .probeDown) || bytesInFlight > Double(modelWindow) {
                startCycle(at: 1, now: now)
            } else if phase == .cruise, let minRTT, rtt > minRTT * Self.slowRoundFactor,
                      now - lastProbeUpAt >= max(Self.probeInterval, minRTT * Self.probeIntervalRounds) {
                startCycle(at: 0, now: now)
            } else {
                startCycle(at: (cycleIndex + 1) % Self.cycleGains.count, now: now)
            }
        }
        if let host { report(to: host, competing: !limited && bandwidth > 0) }
        updatePacingRate()
    }

    /// Counts this session in its host's mean at its estimate while its rounds measure the path,
    /// and not while its client's window or its stream's end holds it back.
    private func report(to host: HostBandwidth, competing: Bool) {
        switch (hostContribution, competing) {
        case (nil, true): host.enter(at: bandwidth); hostContribution = bandwidth
        case (let counted?, false): host.leave(from: counted); hostContribution = nil
        case (let counted?, true) where counted != bandwidth: host.update(from: counted, to: bandwidth); hostContribution = bandwidth
        default: break
        }
    }

    /// Loss significantly above the background (a binomial margin over the round's numbers), or
    /// a round trip showing a standing queue while losing.
    private func isAboveBackground(loss: Double, background: Double?, datagrams: Double) -> Bool {
        guard let background else { return false }
        let n = max(datagrams, 1)
        let spread = 3 * (max(background, 0.001) * (1 - background) / n).squareRoot()
        return loss > background + max(Self.lossMargin, spread)
    }

    /// Sent beyond what the client reports having seen, in bytes at the rounds' cost per number.
    /// After a probe's rewind the client may report more than the stream has sent anew since
    /// (copies sent before the rewind arrive late): nothing is in flight then, not 4 billion.
    private var bytesInFlight: Double { sentEnd > highest ? Double(sentEnd - highest) * bytesPerNumber : 0 }

    private func queueBuilding(_ rtt: Nanoseconds) -> Bool {
        guard let minRTT else { return false }
        return rtt > minRTT + Nanoseconds(minRTT.value / 64) + Self.queueDelaySlack
    }

    private func addSample(_ sample: Double) {
        if sample > slotMax.current { slotMax.current = sample }
        roundsInSlot += 1
        if roundsInSlot >= Self.slotRounds {
            slotMax = (0, slotMax.current)
            roundsInSlot = 0
        }
        bandwidth = max(slotMax.current, slotMax.previous)
    }

    private func enter(_ next: CongestionSnapshot.Phase) {
        if next != phase { transitioned = true }
        phase = next
        if next == .drain { drainRounds = 0 }
    }

    private func startCycle(at index: Int, now: Instant) {
        cycleIndex = index
        if index == 0 { lastProbeUpAt = now }
        enter(index == 0 ? .probeUp : index == 1 ? .probeDown : .cruise)
    }

    private func updatePacingRate() {
        let gain: Double
        switch phase {
        case .startup: gain = Self.startupGain
        case .drain: gain = 1 / Self.startupGain
        case .probeUp, .probeDown, .cruise: gain = Self.cycleGains[cycleIndex]
        }
        let rate = max(bandwidth > 0 ? gain * bandwidth : modelRate, Self.minimumRate)
        // Start-up never slows down (as BBR's): its first round may see a single datagram arrive
        // in a round trip, and on a 10 ms path that sample is a twelfth of the initial rate.
        modelRate = phase == .startup ? max(modelRate, rate) : rate
    }
}
