import Testing
@testable import NumbersProtocol

/// A controller that has measured a path: `rounds` rounds of ten datagrams 100 µs apart, each
/// acknowledged in full 1 ms after its last send, of which the last `repairs` carry only
/// retransmissions (the first, new, opens the round).
private func measuredController(rounds: Int = 30, repairs: Int = 0) -> (ModelController, end: UInt32, now: Instant) {
    let c = ModelController(now: .zero)
    var now = Instant.zero
    var end: UInt32 = 0
    for _ in 0..<rounds {
        for k in 0..<10 {
            let repair = k >= 10 - repairs
            if !repair { end += 294 }
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: repair ? 0 : 294, end: end, now: now)
            now = now + .microseconds(100)
        }
        now = now + .milliseconds(1)
        c.onAck(cumulative: end, highest: end, now: now)
    }
    return (c, end, now)
}

/// The controller's window bounds what is in flight: pacing alone cannot, while the bandwidth
/// estimate is too high (a start-up that read a token bucket's burst as the path filled a 1 MB
/// queue and sent 1.9 times the minimum).
@Suite struct CongestionWindowTests {
    @Test func theWindowFillsAtItsSizeAndAnAckOpensIt() {
        var (c, end, now) = measuredController()
        let window = c.window
        #expect(window >= ModelController.minimumWindow, "an estimate exists, at least the floor")
        #expect(!c.isWindowFull, "everything sent was acknowledged")
        var sentBytes = 0
        while !c.isWindowFull {
            end += 294
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: now)
            sentBytes += 1_200
            now = now + .microseconds(10)
            #expect(sentBytes <= window + 1_200, "full no later than one datagram past the window")
            if sentBytes > window + 1_200 { break }
        }
        #expect(sentBytes >= window - 1_200, "not full before the window: \(sentBytes) of \(window)")
        c.onAck(cumulative: end - 294 * 10, highest: end - 294 * 10, now: now + .milliseconds(1))
        #expect(!c.isWindowFull, "ten datagrams acknowledged open it again")
    }

    /// A probe rewinds the session to the client's `highest`: what was sent above it is lost, not
    /// in flight, and the resend of that stretch must not count it again.
    @Test func aRewindEmptiesTheWindowAndItsResendDoesNotRefillIt() {
        var (c, end, now) = measuredController()
        let acknowledged = end
        while !c.isWindowFull {
            end += 294
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: now)
            now = now + .microseconds(10)
        }
        c.onRewind(to: acknowledged)
        #expect(!c.isWindowFull, "nothing above the client's highest is in flight after a rewind")
        // The stretch sent again carries no new numbers, so it does not fill the window again.
        for _ in 0..<10 {
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 0, end: end, now: now)
            now = now + .microseconds(10)
        }
        #expect(!c.isWindowFull)
    }

    /// A path whose bandwidth-delay product (about 6 MB/s × 1 ms here) is under the floor gets
    /// the floor: 20 datagrams, not the product and not a whole shallow queue.
    @Test func aSmallPathGetsTheFloor() {
        let (c, _, _) = measuredController()
        #expect(c.window == ModelController.minimumWindow, "\(c.window)")
        #expect(c.window == 20 * Limits.maxDatagramSize)
    }

    /// After a rewind, copies sent before it may still arrive: the client then reports more than
    /// the stream has sent anew. That is nothing in flight, not a count that wrapped around to
    /// four billion numbers and held the session one DATA per 5 ms until the stream caught up.
    @Test func lateCopiesAfterARewindLeaveNothingInFlight() {
        var (c, end, now) = measuredController()
        let acknowledged = end
        for _ in 0..<10 {
            end += 294
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: now)
            now = now + .microseconds(10)
        }
        c.onRewind(to: acknowledged)
        now = now + .microseconds(500)
        c.onAck(cumulative: acknowledged, highest: end, now: now)
        #expect(c.window > 0)
        #expect(!c.isWindowFull, "the client holds all that was sent: nothing is in flight")
    }

    @Test func noEstimateHoldsNothing() {
        let c = ModelController(now: .zero)
        for i in 1...10_000 as ClosedRange<UInt32> {
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: i * 294, now: Instant(nanoseconds: UInt64(i) * 1_000))
        }
        #expect(c.window == 0)
        #expect(!c.isWindowFull, "before any round trip there is no window to fill")
    }
}

/// A round that is mostly retransmissions is credited as at most half repair: the estimate
/// follows the stream's progress, not the flood that repairs it.
@Suite struct CongestionRepairCreditTests {
    /// The bandwidth estimate after 40 rounds whose last `repairs` datagrams are retransmissions.
    private func estimate(repairs: Int) -> Double { measuredController(rounds: 40, repairs: repairs).0.snapshot.bandwidth }

    @Test func aFloodOfRetransmissionsIsNotCreditedAsBandwidth() {
        let clean = estimate(repairs: 0)
        let half = estimate(repairs: 5)
        let flood = estimate(repairs: 9)
        #expect(clean > 0)
        // Half the round repairing: paid in full, so the estimate stays the bytes the path carried.
        #expect(abs(half - clean) / clean < 0.25, "half \(half), clean \(clean)")
        // Nine of ten repairing: one new datagram a round, credited as two, not as ten.
        #expect(flood < clean * 0.35, "flood \(flood), clean \(clean)")
    }
}

/// A session whose rounds are long (cut to a trickle beside faster ones, one datagram a round)
/// still probes for more at least every `probeInterval`, not once in eight rounds.
@Suite struct CongestionProbeIntervalTests {
    @Test func slowRoundsStillProbeUpOftenEnough() {
        // Measure the path first.
        var (c, end, now) = measuredController(rounds: 40)
        _ = c.takeTransition()
        // Then rounds of one datagram, each acknowledged 40 ms later: 16 rounds, 640 ms.
        var probes = 0
        for _ in 0..<16 {
            end += 294
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: now)
            now = now + .milliseconds(40)
            c.onAck(cumulative: end, highest: end, now: now)
            if c.takeTransition()?.phase == .probeUp { probes += 1 }
        }
        // Once in eight rounds would be twice; every 100 ms (three rounds here) is about five times.
        #expect(ModelController.probeInterval <= .milliseconds(100))
        #expect(probes >= 4, "probed up \(probes) times in 640 ms")
    }
}

/// Start-up only ever speeds up: its first round may see one datagram arrive in a round trip.
@Suite struct CongestionStartupTests {
    @Test func aSlowFirstSampleDoesNotSlowTheStart() {
        let c = ModelController(now: .zero)
        let initial = c.pacingRate
        // One datagram, acknowledged alone a 10 ms round trip later: a sample of 120 kB/s.
        c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: 294, now: .zero)
        c.onAck(cumulative: 294, highest: 294, now: Instant(nanoseconds: 10_000_000))
        #expect(c.snapshot.phase == .startup)
        #expect(c.snapshot.bandwidth > 0 && c.snapshot.bandwidth * ModelController.startupGain < initial,
                "the sample is below the initial rate: \(c.snapshot.bandwidth)")
        #expect(c.pacingRate == initial, "start-up keeps its pace: \(c.pacingRate)")
    }

    /// The second round follows the first ACK by a pacing gap: arrivals are counted from its
    /// first send, not from that ACK, or the gap reads as a slower path.
    @Test func anIdlePathIsNotASlowOne() {
        let c = ModelController(now: .zero)
        c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: 294, now: .zero)
        c.onAck(cumulative: 294, highest: 294, now: Instant(nanoseconds: 100_000))
        // 50 µs idle, then three datagrams; all three reported 100 µs after the first was sent.
        for k in 0..<3 as Range<UInt32> {
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: 294 * (k + 2), now: Instant(nanoseconds: 150_000 + UInt64(k) * 10_000))
        }
        c.onAck(cumulative: 4 * 294, highest: 4 * 294, now: Instant(nanoseconds: 250_000))
        // 3,600 bytes over 100 µs; counted from the first ACK it would be 150 µs (24 MB/s).
        #expect(abs(c.snapshot.bandwidth - 36_000_000) < 1_000_000, "bandwidth \(c.snapshot.bandwidth)")
    }
}
