import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct HeldQueueTests {
    @Test func boundDropsAndCountsOverflow() {
        let h = Harness(ImpairmentConfig(delay: .seconds(1 as UInt64), heldLimit: 10))
        for id in UInt64(1)...15 { h.offer(id: id, at: .zero) }
        let c = h.impairment.counters
        #expect(h.impairment.heldCount == 10 && c.overflowDropped == 5 && c.delayed == 10)
        #expect(h.impairment.nextDeadline == .ms(1_000))
        h.release(at: .ms(1_000))
        #expect(h.out.map(\.id) == Array(1...10))
        // Room again once released.
        h.offer(id: 16, at: .ms(1_000))
        #expect(h.impairment.heldCount == 1 && h.impairment.counters.overflowDropped == 5)
        #expect(h.impairment.counters.summary.contains("overflow-dropped 5"))
    }

    @Test func boundCoversReorderedCopies() {
        let h = Harness(ImpairmentConfig(reorderRate: 0.9, delay: .milliseconds(1), seed: 17, heldLimit: 100))
        for id in UInt64(1)...10_000 { h.offer(id: id, at: .zero) }
        let c = h.impairment.counters
        #expect(h.impairment.heldCount <= 100)
        #expect(c.overflowDropped > 0)
        h.drain()
        #expect(c.offered + c.duplicated == UInt64(h.out.count) + c.overflowDropped)
    }

    @Test func defaultBoundIsHundredThousand() {
        let h = Harness(ImpairmentConfig(delay: .seconds(1 as UInt64)), keepBytes: false)
        h.run(count: 100_005, spacing: .zero)
        #expect(h.impairment.counters.overflowDropped == 5)
        #expect(h.out.count == 100_000)
    }
}
