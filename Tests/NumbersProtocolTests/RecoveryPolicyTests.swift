import Testing
@testable import NumbersProtocol

/// The client's recovery policies, each on its own: the round-trip filter, the loss estimate and
/// what it decides (copies, patience), the probe schedule and the acknowledgement schedule.
@Suite struct RecoveryPolicyTests {
    @Test func roundTripIgnoresLateEchoesButKeepsTheFloor() {
        var rtt = RoundTripEstimator()
        rtt.add(.milliseconds(10))
        for _ in 0..<20 { rtt.add(.milliseconds(10)) }
        // Echoes that arrived on a later datagram (the first carrying them was lost) are late by a
        // round trip or more: they must not lengthen the request timeout.
        for _ in 0..<50 { rtt.add(.milliseconds(25)); rtt.add(.milliseconds(25)); rtt.add(.milliseconds(10)) }
        #expect(rtt.smoothed == .milliseconds(10))
        #expect(rtt.minimum == .milliseconds(10))
        let timeout = rtt.requestTimeout(floor: .milliseconds(2))!
        #expect(timeout >= .milliseconds(12) && timeout <= .milliseconds(13))
        // At the floor: a path faster than the timer granularity.
        var fast = RoundTripEstimator()
        for _ in 0..<20 { fast.add(.microseconds(50)) }
        #expect(fast.requestTimeout(floor: .milliseconds(2)) == .milliseconds(2))
        #expect(RoundTripEstimator().requestTimeout(floor: .milliseconds(2)) == nil)
    }

    @Test func roundTripFollowsAPathThatGotSlower() {
        var rtt = RoundTripEstimator()
        for _ in 0..<16 { rtt.add(.milliseconds(10)) }
        for _ in 0..<40 { rtt.add(.milliseconds(40)) }
        // 16 samples later the floor is the new path, and the mean follows it.
        #expect(rtt.minimum == .milliseconds(40))
        #expect(rtt.smoothed! > .milliseconds(30))
    }

    @Test func lossEstimateMeasuresGapsAndDecays() {
        var loss = LossEstimator()
        #expect(loss.rate == 0)
        #expect(loss.controlCopies == 1)
        for _ in 0..<200 { loss.delivered(); loss.lost(datagrams: 1) }
        #expect(abs(loss.rate - 0.5) < 0.01)
        #expect(loss.controlCopies == 4)
        // Conditions change: the old loss fades within a few windows.
        for _ in 0..<(4 * Int(LossEstimator.window)) { loss.delivered() }
        #expect(loss.rate < 0.05)
        #expect(loss.controlCopies <= 2)
    }

    @Test func probePatienceGrowsWithLossAndIsBounded() {
        var clean = LossEstimator()
        for _ in 0..<500 { clean.delivered() }
        #expect(clean.probePatience == 1)
        var lossy = LossEstimator()
        for _ in 0..<100 { lossy.delivered(); lossy.delivered(); lossy.delivered(); lossy.lost(datagrams: 1) }   // 25%
        var heavy = LossEstimator()
        for _ in 0..<200 { heavy.delivered(); heavy.lost(datagrams: 1) }   // 50%
        #expect(lossy.probePatience > clean.probePatience)
        #expect(heavy.probePatience >= lossy.probePatience)
        #expect(heavy.probePatience <= 16)
        // A gap larger than the estimator's window counts as one window, so one burst cannot pin it.
        var burst = LossEstimator()
        burst.lost(datagrams: .max)
        #expect(burst.rate <= 1)
    }

    @Test func probeScheduleKeepsItsBaseForThePatienceThenDoubles() {
        var config = ClientConfig(clientID: testClientA, mode: .start(count: 10), server: PeerAddress(ipv4: (10, 0, 0, 1), port: 9000), tag: 1)
        config.maxBackoff = .seconds(1 as UInt64)
        var schedule = ProbeSchedule()
        let rto = Nanoseconds.milliseconds(12)
        let gap = Nanoseconds.microseconds(10)
        var waits: [Nanoseconds] = []
        for _ in 0..<10 {
            waits.append(schedule.timeout(streaming: true, requestTimeout: rto, arrivalGap: gap, patience: 3, config: config))
            schedule.unanswered()
        }
        let base = rto + gap * 4
        #expect(waits[0] == base && waits[1] == base && waits[2] == base && waits[3] == base)
        #expect(waits[4] == base * 2 && waits[5] == base * 4)
        #expect(waits.allSatisfy { $0 <= config.maxBackoff })
        // A slow pace is never mistaken for loss: the wait covers four arrival gaps.
        let paced = ProbeSchedule().timeout(streaming: true, requestTimeout: rto, arrivalGap: .seconds(1 as UInt64), patience: 1, config: config)
        #expect(paced >= .seconds(4 as UInt64))
        // Streaming with the pace still unknown: long enough for the default 1 s interval.
        #expect(config.unknownPaceTimeout > .seconds(1 as UInt64))
        let unknown = ProbeSchedule().timeout(streaming: true, requestTimeout: rto, arrivalGap: nil, patience: 1, config: config)
        #expect(unknown > .seconds(1 as UInt64))
        // Connecting after a CHALLENGE: the server answers at once, so one request timeout.
        let open = ProbeSchedule().timeout(streaming: false, requestTimeout: rto, arrivalGap: nil, patience: 2, config: config)
        #expect(open == max(config.minProbeTimeout, rto))
    }

    @Test func ackScheduleBatchesAPacedStreamAndAnswersAPause() {
        let config = ClientConfig(clientID: testClientA, mode: .start(count: 10), server: PeerAddress(ipv4: (10, 0, 0, 1), port: 9000), tag: 1)
        var acks = AckSchedule()
        let t0 = Instant(nanoseconds: 1_000_000_000)
        // The station's 1 s pace: one ACK every four datagrams, not one per datagram.
        acks.received(numbers: 1, now: t0, pace: .seconds(1 as UInt64), window: 65_536, config: config)
        #expect(acks.deadline == t0 + .seconds(2 as UInt64))
        for k in 1...3 {
            let t = t0 + .seconds(UInt64(k))
            #expect(!acks.isDue(at: t))
            acks.received(numbers: 1, now: t, pace: .seconds(1 as UInt64), window: 65_536, config: config)
        }
        #expect(acks.isDue(at: t0 + .seconds(4 as UInt64)))
        acks.sent(full: false)
        // The transfer's first DATA, before any pace is known, is acknowledged at once (for a
        // full-speed stream's controller; a paced stream pays this one ACK).
        var first = AckSchedule()
        first.received(numbers: 1, now: t0, pace: nil, window: 65_536, config: config)
        #expect(first.urgent)
        // A burst that then stops (a server blocked on its window): ACK once the stream pauses.
        acks.received(numbers: 294, now: t0, pace: .microseconds(5), window: 1 << 20, config: config)
        #expect(acks.deadline == t0 + config.ackQuiet)
        // A quarter of the window is reason enough at once.
        acks.sent(full: false)
        acks.received(numbers: 256, now: t0, pace: nil, window: 1_024, config: config)
        #expect(acks.urgent)
    }

    /// A full-speed transfer's first DATA is acknowledged alone and the rest of its first 16 in
    /// pairs (the server's controller is starting up and grows once per acknowledged round);
    /// after them, one ACK per 16 DATA.
    @Test func aFullSpeedStartIsAcknowledgedFirstAloneThenInPairsThenEverySixteen() {
        let config = ClientConfig(clientID: testClientA, mode: .start(count: 100_000), server: PeerAddress(ipv4: (10, 0, 0, 1), port: 9000), tag: 1)
        var acks = AckSchedule()
        var now = Instant(nanoseconds: 1_000_000_000)
        var acksAfter: [Int] = []
        for k in 1...64 {
            acks.received(numbers: 294, now: now, pace: k == 1 ? nil : .microseconds(100), window: 1 << 20, config: config)
            if acks.urgent { acksAfter.append(k); acks.sent(full: false) }
            now = now + .microseconds(100)
        }
        #expect(acksAfter == [1, 3, 5, 7, 9, 11, 13, 15, 31, 47, 63])
    }

    @Test func fullAcksFollowEachOtherUpToTheBurstBound() {
        var acks = AckSchedule()
        var sent = 0
        acks.send(.gapOpened)
        while acks.urgent && sent < 1_000 {
            acks.sent(full: true)
            sent += 1
        }
        #expect(sent == Limits.maxAckBurst)
    }
}
