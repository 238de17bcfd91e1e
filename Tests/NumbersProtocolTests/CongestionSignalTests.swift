import Testing
@testable import NumbersProtocol

/// The controller's evidence: send times looked up by the position an ACK reports, and a round
/// trip padded by the client's ACK delay that must not read as a queue.
@Suite struct CongestionSignalTests {
    @Test func sendTimesFindsTheDatagramEndingAtAPosition() {
        var times = SendTimes()
        for i in 1...100 as ClosedRange<UInt32> { times.record(end: i * 294, at: Instant(nanoseconds: UInt64(i) * 1_000)) }
        #expect(times.sentAt(end: 294) == Instant(nanoseconds: 1_000))
        #expect(times.sentAt(end: 50 * 294) == Instant(nanoseconds: 50_000))
        #expect(times.sentAt(end: 100 * 294) == Instant(nanoseconds: 100_000))
        #expect(times.sentAt(end: 295) == nil, "no datagram ended there")
        #expect(times.sentAt(end: 0) == nil)
    }

    @Test func sendTimesKeepsOnlyIncreasingEnds() {
        var times = SendTimes()
        times.record(end: 100, at: Instant(nanoseconds: 1))
        times.record(end: 100, at: Instant(nanoseconds: 2))
        times.record(end: 50, at: Instant(nanoseconds: 3))
        #expect(times.count == 1)
        #expect(times.sentAt(end: 100) == Instant(nanoseconds: 1), "a second send of the same end is a retransmission")
    }

    @Test func sendTimesForgetsTheOldestAtItsBound() {
        var times = SendTimes()
        let total = UInt32(SendTimes.capacity + 10)
        for i in 1...total { times.record(end: i, at: Instant(nanoseconds: UInt64(i))) }
        #expect(times.count == SendTimes.capacity)
        #expect(times.sentAt(end: 10) == nil, "beyond the bound the oldest go first")
        #expect(times.sentAt(end: 11) == Instant(nanoseconds: 11))
        #expect(times.sentAt(end: total) == Instant(nanoseconds: UInt64(total)))
    }

    @Test func recentMinimumKeepsItsCount() {
        var m = RecentMinimum(keeping: 4)
        for v in [50, 10, 60, 70] as [UInt64] { m.add(Nanoseconds(v)) }
        #expect(m.value == Nanoseconds(10))
        for v in [80, 90, 95, 99] as [UInt64] { m.add(Nanoseconds(v)) }
        #expect(m.value == Nanoseconds(80), "only the last four count")
    }

    /// A paced sender whose client acknowledges late (by a timer) while 30% of every round is
    /// lost at random: the round's span grows by the ACK delay, but the round trip measured from
    /// the datagram each ACK reports stays the path's, so the controller never calls it congestion
    /// and never cuts its rate; a real queue (the same loss with each ACK 5 ms later than the
    /// last) does cut it.
    @Test(arguments: [false, true])
    func ackDelayIsNotAQueue(queueGrows: Bool) {
        let c = ModelController(now: .zero)
        var now = Instant.zero
        var end: UInt32 = 0
        var cuts = 0
        var previousBandwidth = 0.0
        var extraDelay = Nanoseconds.zero
        for round in 0..<60 {
            // Ten datagrams a round, 1 ms apart; the path's round trip is 10 ms.
            var sent: [(UInt32, Instant)] = []
            for _ in 0..<10 {
                end += 294
                c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: now)
                sent.append((end, now))
                now = now + .milliseconds(1)
            }
            if queueGrows && round >= 20 { extraDelay = extraDelay + .milliseconds(5) }
            // Three of the ten are lost; the client asks for them.
            c.onLoss(numbers: 3 * 294, now: now)
            for (i, (e, at)) in sent.enumerated() where i % 3 == 0 {
                // Every third ACK is the immediate one; the others wait for a 4 ms timer.
                let delay: Nanoseconds = i == 0 ? .zero : .milliseconds(4)
                let arrival = at + .milliseconds(10) + extraDelay + delay
                if arrival > now { now = arrival }
                c.onAck(cumulative: e - 294, highest: e, now: now)
            }
            let bw = c.snapshot.bandwidth
            if round > 5 && bw < previousBandwidth * 0.9 { cuts += 1 }
            previousBandwidth = bw
        }
        if queueGrows {
            #expect(cuts > 0, "a round trip growing by 5 ms a round beside loss is a queue")
        } else {
            #expect(cuts == 0, "random loss with delayed ACKs cut the estimate \(cuts) times")
            #expect(c.snapshot.backgroundLoss > 0.2, "background \(c.snapshot.backgroundLoss)")
        }
    }
}
