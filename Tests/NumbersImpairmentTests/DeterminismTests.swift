import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct DeterminismTests {
    static func run(seed: UInt64) -> (out: [Emitted], counters: ImpairmentCounters) {
        let config = ImpairmentConfig(dropRate: 0.1, burst: GilbertElliott(p: 0.02, r: 0.3),
                                      duplicateRate: 0.05, reorderRate: 0.05, corruptRate: 0.05,
                                      delay: .milliseconds(2), jitter: .milliseconds(3), seed: seed)
        let h = Harness(config)
        h.run(count: 20_000, spacing: .microseconds(50))
        return (h.out, h.impairment.counters)
    }

    @Test func sameSeedSameDecisions() {
        let a = Self.run(seed: 1234), b = Self.run(seed: 1234)
        #expect(a.out == b.out)
        #expect(a.counters == b.counters)
    }

    @Test func differentSeedDifferentDecisions() {
        let a = Self.run(seed: 1234), b = Self.run(seed: 1235)
        #expect(a.out.map(\.id) != b.out.map(\.id))
        #expect(a.out.map(\.at) != b.out.map(\.at))
        #expect(a.counters != b.counters)
    }

    @Test func enablingOneStageKeepsTheOthersDecisions() {
        // Per-stage random streams: adding duplication does not change which datagrams are dropped.
        let plain = Harness(ImpairmentConfig(dropRate: 0.2, seed: 5))
        plain.run(count: 10_000, spacing: .microseconds(10))
        let dup = Harness(ImpairmentConfig(dropRate: 0.2, duplicateRate: 0.3, seed: 5))
        dup.run(count: 10_000, spacing: .microseconds(10))
        #expect(Set(plain.out.map(\.id)) == Set(dup.out.map(\.id)))
    }
}
