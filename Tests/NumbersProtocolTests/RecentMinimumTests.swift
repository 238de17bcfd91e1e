import Testing
@testable import NumbersProtocol

@Suite("RecentMinimum: the smallest of the last k samples, kept as samples arrive")
struct RecentMinimumTests {
    @Test("against the minimum of the last k samples recomputed from scratch, for every k and random sequences", arguments: 1...RecentMinimum.maxKept)
    func matchesBruteForce(kept: Int) {
        var random = SplitMix64(seed: UInt64(kept))
        var filter = RecentMinimum(keeping: kept)
        var history: [UInt64] = []
        #expect(filter.value == nil)
        for step in 0..<2_000 {
            // Few distinct values, so that ties and the eviction of the minimum happen often.
            let sample = step % 97 == 0 ? UInt64.max - 1 : step % 89 == 0 ? .max : random.next() % 8
            filter.add(Nanoseconds(sample))
            history.append(sample)
            let expected = history.suffix(kept).min()!
            #expect(filter.value == Nanoseconds(expected), "k \(kept), step \(step)")
            #expect(filter.count == min(history.count, kept))
        }
        filter.reset()
        #expect(filter.value == nil && filter.count == 0)
        // Nothing of before the reset survives it: the samples before were all below 8 or huge.
        filter.add(Nanoseconds(1_000))
        #expect(filter.value == Nanoseconds(1_000) && filter.count == 1)
    }
}
