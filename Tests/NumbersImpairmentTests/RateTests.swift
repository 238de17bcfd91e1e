import Testing
import NumbersImpairment
import NumbersProtocol

/// Measured rates over 200,000 datagrams, checked against 5-sigma binomial bounds both from the
/// counters and from what actually came out.
@Suite struct RateTests {
    static let n: UInt64 = 200_000

    @Test(arguments: [0.01, 0.1, 0.5])
    func dropRate(p: Double) {
        let h = Harness(ImpairmentConfig(dropRate: p, seed: 7), keepBytes: p == 0.5)
        h.run(count: Self.n, spacing: .microseconds(10))
        let c = h.impairment.counters
        #expect(withinBinomial(c.dropped, trials: Self.n, p: p))
        #expect(UInt64(h.out.count) == Self.n - c.dropped)
        // Nothing else happened, and survivors are untouched and in order.
        #expect(c.delivered == UInt64(h.out.count) && c.burstDropped == 0 && c.duplicated == 0)
        #expect(h.out.map(\.id) == h.out.map(\.id).sorted())
        if h.keepBytes { #expect(h.out.allSatisfy { $0.bytes == Harness.datagram(id: $0.id) }) }
    }

    @Test func duplicateRate() {
        let p = 0.05
        let h = Harness(ImpairmentConfig(duplicateRate: p, seed: 8), keepBytes: false)
        h.run(count: Self.n, spacing: .microseconds(10))
        var seen = [UInt64: Int]()
        for e in h.out { seen[e.id, default: 0] += 1 }
        let twice = UInt64(seen.values.filter { $0 == 2 }.count)
        #expect(seen.count == Int(Self.n) && seen.values.allSatisfy { $0 <= 2 })
        #expect(twice == h.impairment.counters.duplicated)
        #expect(withinBinomial(twice, trials: Self.n, p: p))
    }

    @Test func corruptRate() {
        let p = 0.02
        let h = Harness(ImpairmentConfig(corruptRate: p, seed: 9))
        h.run(count: Self.n, spacing: .microseconds(10))
        // The id prefix may itself be corrupted, so count by position: output is in order here.
        #expect(h.out.count == Int(Self.n))
        var changed: UInt64 = 0
        for (i, e) in h.out.enumerated() where e.bytes != Harness.datagram(id: UInt64(i + 1)) { changed += 1 }
        #expect(changed == h.impairment.counters.corrupted)
        #expect(withinBinomial(changed, trials: Self.n, p: p))
    }

    @Test func reorderRate() {
        let p = 0.1
        let h = Harness(ImpairmentConfig(reorderRate: p, seed: 10), keepBytes: false)
        h.run(count: Self.n, spacing: .microseconds(10))
        #expect(h.out.count == Int(Self.n))
        #expect(withinBinomial(h.impairment.counters.reordered, trials: Self.n, p: p))
        // Without delay a copy comes out after a later one exactly when it was held for reordering.
        let overtaken = OrderAnalysis(h.out.map(\.id)).overtaken
        #expect(UInt64(overtaken.count) == h.impairment.counters.reordered)
    }

    @Test func combinedAccountingBalances() {
        let config = ImpairmentConfig(dropRate: 0.05, burst: GilbertElliott(p: 0.02, r: 0.3),
                                      duplicateRate: 0.03, reorderRate: 0.05, corruptRate: 0.01,
                                      delay: .milliseconds(5), jitter: .milliseconds(2),
                                      failEvery: 1_000, goOfflineFor: .milliseconds(3), seed: 11)
        let h = Harness(config, keepBytes: false)
        h.run(count: Self.n, spacing: .microseconds(100))
        let c = h.impairment.counters
        #expect(h.impairment.heldCount == 0 && h.impairment.nextDeadline == nil)
        let lost = c.failed + c.offlineDropped + c.dropped + c.burstDropped
        #expect(c.offered == Self.n)
        #expect(c.offered - lost + c.duplicated == c.delivered + c.overflowDropped)
        #expect(c.delivered == UInt64(h.out.count))
        #expect(c.failed > 0 && c.offlineDropped > 0 && c.dropped > 0 && c.burstDropped > 0)
        #expect(c.duplicated > 0 && c.reordered > 0 && c.corrupted > 0 && c.delayed > 0)
    }
}

/// Which ids came out after some larger id.
struct OrderAnalysis {
    var overtaken: Set<UInt64> = []
    /// For each overtaken id: how many larger ids came out before it.
    var overtakenBy: [UInt64: [UInt64]] = [:]

    init(_ ids: [UInt64]) {
        // Larger ids seen so far, kept sorted; ids are distinct and the runs are small enough
        // that a linear scan of the recent tail suffices for counting.
        var maxSeen: UInt64 = 0
        var emittedSoFar: [UInt64] = []
        for id in ids {
            if id < maxSeen {
                overtaken.insert(id)
                // Only the last few hundred emissions can be larger (held ≤ 3 datagrams or 10ms).
                overtakenBy[id] = emittedSoFar.suffix(512).filter { $0 > id }
            }
            maxSeen = max(maxSeen, id)
            emittedSoFar.append(id)
        }
    }
}
