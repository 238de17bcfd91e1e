import Testing
import NumbersImpairment
import NumbersProtocol

/// The bottleneck link: datagrams leave at the link's rate (header overhead included), wait in a
/// drop-tail queue of a bounded number of bytes, then cross the propagation delay.
@Suite struct BottleneckTests {
    /// 972 + 28 = 1,000 bytes on the link: 0.8 ms each at 10 Mbit/s.
    static let size = 972
    static let link = BottleneckLink(bitsPerSecond: 10_000_000, queueLimit: 1_000_000, propagation: .milliseconds(5))

    @Test func backToBackDatagramsLeaveAtTheLinkRateThenPropagate() {
        let h = Harness(ImpairmentConfig(bottleneck: Self.link))
        for id in 1...100 as ClosedRange<UInt64> { h.offer(id: id, at: .zero, size: Self.size) }
        h.drain()
        #expect(h.out.map(\.id) == Array(1...100))
        for (i, e) in h.out.enumerated() {
            #expect(e.at == .zero + .microseconds(800 * UInt64(i + 1)) + .milliseconds(5), "datagram \(i + 1)")
        }
        #expect(h.impairment.counters.queueDropped == 0 && h.impairment.counters.delivered == 100)
    }

    @Test func trafficBelowTheRateIsOnlyDelayed() {
        let h = Harness(ImpairmentConfig(bottleneck: Self.link))
        h.run(count: 200, spacing: .milliseconds(1), size: Self.size)
        #expect(h.out.count == 200)
        #expect(h.out.allSatisfy { $0.at == .zero + .milliseconds($0.id - 1) + .microseconds(800) + .milliseconds(5) })
    }

    /// A 4,500-byte queue holds four 1,000-byte datagrams: the fifth offered at once is dropped,
    /// and so is every later one until the link has sent enough to make room.
    @Test func fullQueueDropsTheTail() {
        var link = Self.link
        link.queueLimit = 4_500
        let h = Harness(ImpairmentConfig(bottleneck: link))
        for id in 1...10 as ClosedRange<UInt64> { h.offer(id: id, at: .zero, size: Self.size) }
        #expect(h.impairment.counters.queueDropped == 6)
        // At 0.8 ms the first has left: there is room for exactly one more.
        h.offer(id: 11, at: .us(800), size: Self.size)
        h.offer(id: 12, at: .us(800), size: Self.size)
        h.drain()
        #expect(h.out.map(\.id) == [1, 2, 3, 4, 11])
        #expect(h.impairment.counters.queueDropped == 7)
        #expect(h.out.last!.at == .zero + .microseconds(4_000) + .milliseconds(5))
    }

    /// Offered at twice the link rate for a long time, the link delivers its rate exactly and the
    /// queue drops the rest: delivered bytes over time equal the rate.
    @Test func overloadDeliversTheLinkRate() {
        var link = Self.link
        link.queueLimit = 20_000
        let h = Harness(ImpairmentConfig(bottleneck: link), keepBytes: false)
        h.run(count: 10_000, spacing: .microseconds(400), size: Self.size)
        let delivered = UInt64(h.out.count)
        let span = h.out.last!.at - h.out.first!.at
        let rate = Double(delivered - 1) * 8_000 / span.seconds
        #expect(abs(rate - 10_000_000) < 10_000, "rate \(rate)")
        #expect(delivered + h.impairment.counters.queueDropped == 10_000)
        #expect(withinBinomial(delivered, trials: 10_000, p: 0.5, sigmas: 1))
    }

    @Test func validationNamesBadLinks() {
        #expect(ValidationTests.error(ImpairmentConfig(bottleneck: BottleneckLink(bitsPerSecond: 10, queueLimit: 1_000))) == .bottleneckRateOutOfRange(10))
        #expect(ValidationTests.error(ImpairmentConfig(bottleneck: BottleneckLink(bitsPerSecond: 10_000_000, queueLimit: 0))) == .bottleneckQueueOutOfRange(0))
        #expect(ValidationTests.error(ImpairmentConfig(bottleneck: Self.link)) == nil)
        #expect(!ImpairmentConfig(bottleneck: Self.link).isTransparent)
    }
}
