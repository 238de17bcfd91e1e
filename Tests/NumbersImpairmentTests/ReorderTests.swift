import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct ReorderTests {
    /// A seed whose first reorder draw holds the datagram (found by trying, deterministically).
    static func holdingFirst(_ base: ImpairmentConfig) -> ImpairmentConfig {
        for seed in UInt64(0)..<1_000 {
            var config = base
            config.seed = seed
            let h = Harness(config)
            h.offer(id: 1, at: .zero)
            if h.impairment.counters.reordered == 1 { return config }
        }
        Issue.record("no seed holds the first datagram")
        return base
    }

    @Test func heldDatagramIsNeverStuck() {
        let h = Harness(Self.holdingFirst(ImpairmentConfig(reorderRate: 0.5)))
        h.offer(id: 1, at: .ms(3))
        #expect(h.out.isEmpty && h.impairment.heldCount == 1)
        #expect(h.impairment.nextDeadline == .ms(13))
        h.release(at: Instant(nanoseconds: 13_000_000 - 1))
        #expect(h.out.isEmpty)
        h.release(at: .ms(13))
        #expect(h.out.map(\.id) == [1] && h.out[0].at == .ms(13))
        #expect(h.impairment.heldCount == 0 && h.impairment.nextDeadline == nil)
    }

    @Test func holdTimeoutCountsFromNormalReleaseWithDelay() {
        let config = Self.holdingFirst(ImpairmentConfig(reorderRate: 0.5, delay: .milliseconds(30)))
        #expect(config.reorderHold == .milliseconds(30))
        let h = Harness(config)
        h.offer(id: 1, at: .zero)
        #expect(h.impairment.nextDeadline == .ms(60))
        h.drain()
        #expect(h.out.map(\.at) == [.ms(60)])
    }

    @Test func overtakenByOneToThreeLaterDatagrams() {
        let h = Harness(ImpairmentConfig(reorderRate: 0.1, seed: 12), keepBytes: false)
        h.run(count: 100_000, spacing: .microseconds(10))
        let analysis = OrderAnalysis(h.out.map(\.id))
        #expect(UInt64(analysis.overtaken.count) == h.impairment.counters.reordered)
        var byCount = [Int: Int]()
        for (_, later) in analysis.overtakenBy {
            // Later datagrams that were themselves held do not count towards the 1–3.
            let normal = later.filter { !analysis.overtaken.contains($0) }.count
            byCount[normal, default: 0] += 1
        }
        #expect(Set(byCount.keys) == [1, 2, 3])
        // Roughly a third each (k is uniform in 1…3).
        for k in 1...3 {
            #expect(withinBinomial(UInt64(byCount[k] ?? 0), trials: UInt64(analysis.overtaken.count), p: 1.0 / 3))
        }
    }

    @Test func reorderWithDelayStillOvertakes() {
        let d = Nanoseconds.milliseconds(20)
        let h = Harness(ImpairmentConfig(reorderRate: 0.1, delay: d, seed: 13), keepBytes: false)
        h.run(count: 50_000, spacing: .microseconds(100))
        #expect(h.out.count == 50_000)
        let analysis = OrderAnalysis(h.out.map(\.id))
        #expect(UInt64(analysis.overtaken.count) == h.impairment.counters.reordered)
        for e in h.out {
            let latency = e.at - (.zero + .microseconds(100) * (e.id - 1))
            #expect(latency >= d && latency <= d + .milliseconds(20))
        }
    }

    @Test func sparseTrafficReleasesByTimeout() {
        // Datagrams 50ms apart: nothing later arrives within the 10ms hold.
        let h = Harness(ImpairmentConfig(reorderRate: 0.5, seed: 14))
        h.run(count: 1_000, spacing: .milliseconds(50))
        #expect(h.out.map(\.id) == Array(1...1_000))
        let late = h.out.filter { $0.at != .zero + .milliseconds(50) * ($0.id - 1) }
        #expect(UInt64(late.count) == h.impairment.counters.reordered)
        #expect(late.allSatisfy { $0.at == .zero + .milliseconds(50) * ($0.id - 1) + .milliseconds(10) })
    }
}
