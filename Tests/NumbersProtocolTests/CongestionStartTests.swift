import Testing
@testable import NumbersProtocol

/// How a session starts: its initial burst, the losses it counts, and the start-up that ends
/// when more than half of what passed is lost.
@Suite struct CongestionStartTests {
    let id = testClientA
    let peer = PeerAddress(ipv4: (10, 0, 0, 2), port: 4000)

    @Test func theInitialBurstLeavesBackToBackThenTheInitialPaceHolds() {
        let c = ModelController(now: .zero)
        #expect(c.pacingRate == ModelController.burstRate)
        for i in 1...ModelController.initialBurst {
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: UInt32(i) * 294, now: .zero)
            let expected = i < ModelController.initialBurst ? ModelController.burstRate : ModelController.initialRate
            #expect(c.pacingRate == expected, "after DATA \(i)")
            #expect(c.snapshot.pacingRate == ModelController.initialRate, "the snapshot shows the model's rate")
        }
        c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: 5 * 294, now: Instant(nanoseconds: 800_000))
        #expect(c.pacingRate == ModelController.initialRate, "no second burst")
    }

    /// A gap the client asks for again (its retransmission lost, or its request repeated on a
    /// timer) is not a new loss: only the part of each range above what the client had already
    /// reported seeing counts.
    @Test func aGapAskedForAgainCountsAsLossOnce() {
        var table = CongestionTable()
        let c = StubController()
        table.install(c, for: id, at: peer, now: .zero)
        func ack(seq: UInt32, highest: UInt32, _ ranges: [IndexRange]) {
            ranges.withUnsafeBufferPointer { buffer in
                let ack = AckMessage(flags: [], tag: 1, clientID: id, token: 0, ackSeq: seq, cumulative: ranges.first?.start ?? highest,
                                     highest: highest, ranges: AckRanges(buffer))
                _ = table.acknowledged(id, ack, from: peer, newRequest: true, now: .zero)
            }
        }
        ack(seq: 2, highest: 2_940, [IndexRange(294, 588), IndexRange(1_176, 1_470)])
        #expect(c.lost == 588, "both gaps are new")
        ack(seq: 3, highest: 5_880, [IndexRange(294, 588), IndexRange(2_646, 3_234), IndexRange(4_410, 4_704)])
        #expect(c.lost == 588 + 294 + 294, "the first again counts nothing; the straddling one only above 2,940")
        ack(seq: 4, highest: 5_880, [IndexRange(294, 588), IndexRange(4_410, 4_704)])
        #expect(c.lost == 1_176, "a request repeated on the client's timer counts nothing")
    }

    @Test func theModelReportsWhatItsAcksSaid() {
        let c = ModelController(now: .zero)
        #expect(c.reportedThrough == 0)
        c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: 294, now: .zero)
        c.onAck(cumulative: 0, highest: 294, now: Instant(nanoseconds: 1_000_000))
        #expect(c.reportedThrough == 294)
        c.onAck(cumulative: 0, highest: 100, now: Instant(nanoseconds: 2_000_000))
        #expect(c.reportedThrough == 294, "a stale ACK does not move it back")
    }

    /// Start-up on a path whose round trip never grows: with 30% of what passes lost (what a user
    /// injects) it is still starting up after its second round; with 90% lost (a queue it started
    /// behind, overflowing) that round ends it.
    @Test(arguments: [0.3, 0.9])
    func startUpEndsWhenMostOfARoundIsLost(loss: Double) {
        var path = SteadyStream()
        let lostPerTen = Int((loss * 10).rounded())
        path.send(for: .milliseconds(25), spacing: .microseconds(100), delay: .milliseconds(10), lost: { $0 % 10 < lostPerTen })
        if loss < 0.5 {
            #expect(path.c.snapshot.phase == .startup, "random loss ended start-up")
        } else {
            #expect(path.c.snapshot.phase == .drain, "90% lost and still \(path.c.snapshot.phase)")
        }
    }

    /// Rounds held back by the client's window measure the client, not the path: after 120 ms at
    /// 12 MB/s, twenty rounds of one datagram each lower the estimate only when the session was
    /// not stalled on the window.
    @Test(arguments: [true, false])
    func roundsHeldByTheClientsWindowDoNotLowerTheEstimate(windowLimited: Bool) {
        var path = SteadyStream()
        path.send(for: .milliseconds(120), spacing: .microseconds(100), delay: .milliseconds(10))
        let before = path.c.snapshot.bandwidth
        #expect(before > 5_000_000, "the estimate after full rounds: \(before) B/s")
        path.send(for: .milliseconds(200), spacing: .milliseconds(10), delay: .milliseconds(10), windowLimited: windowLimited)
        let after = path.c.snapshot.bandwidth
        if windowLimited {
            #expect(after >= before, "window-limited rounds lowered the estimate from \(before) to \(after) B/s")
        } else {
            #expect(after < before / 4, "rounds of one datagram left the estimate at \(after) B/s (\(before) before)")
        }
    }
}
