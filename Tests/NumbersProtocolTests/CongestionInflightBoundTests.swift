import Testing
@testable import NumbersProtocol

/// After congestion (loss above the background beside a queue) the window is bounded by β times
/// what was in flight and grows back one datagram a round, as a loss-based flow's window does:
/// a TCP flow sharing a shallow queue got 0.16 of the link while ours kept its window.
@Suite struct CongestionInflightBoundTests {
    /// A steady stream for `duration` (one full DATA every 10 µs, 120 MB/s), each acknowledged
    /// `delay` after it left, then drained; with `lossEvery`, every so many datagrams is reported
    /// lost as the client's highest passes it. Returns the most bytes in flight.
    @discardableResult
    private func stream(_ s: inout SteadyStream, for duration: Nanoseconds, delay: Nanoseconds = .milliseconds(1),
                        lossEvery: Int? = nil) -> Int {
        let most = s.send(for: duration, delay: delay, lost: { n in lossEvery.map { n % $0 == 0 } ?? false })
        s.drain()
        return most
    }

    @Test func congestionBoundsTheWindowAndItGrowsBackOneDatagramARound() {
        var s = SteadyStream()
        let c = s.c
        stream(&s, for: .milliseconds(100))
        let model = c.window
        #expect(model > 3 * ModelController.minimumWindow, "the path's window is the model's, not the floor: \(model)")
        // A queue (round trips half a millisecond longer) and a fifth of the stream lost.
        let most = stream(&s, for: .milliseconds(10), delay: .microseconds(1_500), lossEvery: 5)
        let bounded = c.window
        #expect(bounded < model, "congestion bounds the window: \(bounded) of \(model)")
        #expect(Double(bounded) <= Double(most) * ModelController.inflightBeta + 1_200,
                "at β of the \(most) B in flight: \(bounded)")
        // Clean again: the bound grows by about a datagram a round (a round is 1 ms here), not at once.
        stream(&s, for: .milliseconds(10))
        let grown = c.window - bounded
        #expect(grown > 0 && grown <= 12 * Limits.maxDatagramSize, "grown by \(grown) in about ten rounds")
        stream(&s, for: .milliseconds(500))
        #expect(c.window >= model * 9 / 10, "enough clean rounds drop the bound: \(c.window) of \(model)")
    }

    /// Random loss without a queue is what users inject: it bounds nothing.
    @Test func lossWithoutAQueueBoundsNothing() {
        var s = SteadyStream()
        let c = s.c
        stream(&s, for: .milliseconds(100))
        let model = c.window
        stream(&s, for: .milliseconds(50), lossEvery: 5)
        #expect(c.window >= model * 9 / 10, "\(c.window) of \(model)")
    }
}

/// The window's floor sits between the client's ACK cadence and a shallow queue.
@Suite struct CongestionWindowFloorTests {
    @Test func theFloorOutlastsAnAckAndLeavesAShallowQueueRoom() {
        // Fewer than an ACK's worth of datagrams, and the sender waits for the client's quiet timer.
        #expect(ModelController.minimumWindow > Int(AckSchedule.datagramsPerAck) * Limits.maxDatagramSize)
        // At 48 datagrams (57.6 KB) it filled a 60 KB queue by itself; now a TCP flow beside it has
        // at least half of that queue.
        #expect(ModelController.minimumWindow <= 30_000)
    }

    /// A path of tens of microseconds still gets a window of twice the estimate over 1 ms: a
    /// receiving process that is the bottleneck answers 0.3 to 2.6 ms after a datagram. No more
    /// than 2 ms, over which a start-up's window overflowed a real 10 KB queue.
    @Test func aPathOfTensOfMicrosecondsGetsTheWindowOfAMillisecond() {
        var s = SteadyStream()
        s.send(for: .milliseconds(50), delay: .microseconds(30))
        let snapshot = s.c.snapshot
        #expect(snapshot.phase != .startup && snapshot.phase != .drain, "\(snapshot.phase)")
        #expect((snapshot.minRTT ?? .zero) < .microseconds(100))
        let floor = Int(2 * snapshot.bandwidth * ModelController.minimumWindowTime.seconds)
        #expect(floor > ModelController.minimumWindow, "the time floor, not the datagram floor, decides here")
        #expect(s.c.window == floor)
        #expect(ModelController.minimumWindowTime >= .microseconds(500) && ModelController.minimumWindowTime <= .milliseconds(2))
    }

    /// Once a round has been congested the path is a network bottleneck, not a slow receiver: the
    /// window covers 250 µs from then on (over 1 ms a real 200 Mbit/s link with a 10 KB queue
    /// overflowed), however long the session stays clean.
    @Test func afterAnOverflowTheWindowCoversTheShortFloor() {
        var s = SteadyStream()
        s.send(for: .milliseconds(50), delay: .microseconds(30))
        let before = s.c.window
        // A queue (round trips half a millisecond longer) and a fifth of the stream lost.
        s.send(for: .milliseconds(10), delay: .microseconds(530), lost: { $0 % 5 == 0 })
        s.send(for: .milliseconds(500), delay: .microseconds(30))
        let snapshot = s.c.snapshot
        #expect(snapshot.phase != .startup && snapshot.phase != .drain, "\(snapshot.phase)")
        let short = max(Int(2 * snapshot.bandwidth * ModelController.congestedWindowTime.seconds), ModelController.minimumWindow)
        #expect(s.c.window == short, "\(s.c.window), not \(short)")
        #expect(s.c.window < before / 2, "\(s.c.window) of \(before)")
        let client = ClientConfig(clientID: testClientA, mode: .start(count: 1), server: PeerAddress(ipv4: (10, 0, 0, 1), port: 1), tag: 1)
        #expect(ModelController.congestedWindowTime >= client.ackQuiet, "it still covers the client's quiet timer")
    }
}
