import NumbersReporting
import Testing

@Suite("The paired ratio of medians and its bootstrap interval")
struct PairedRatioTests {
    @Test func identicalSidesGiveOneWithAnIntervalThatHoldsIt() throws {
        let runs: [Double?] = (1...50).map { 0.02 + Double($0 % 7) * 0.001 }
        let r = try #require(PairedRatio(runs, runs))
        #expect(r.ratio == 1)
        // Every resample holds whole pairs, so identical sides give exactly one every time.
        #expect(r.low == 1 && r.high == 1)
    }

    @Test func aSlowerSideIsFoundSlowerAndTheIntervalHoldsTheRatio() throws {
        let b: [Double?] = (0..<60).map { 0.050 + Double(($0 * 37) % 11) * 0.002 }
        let a: [Double?] = b.map { $0.map { $0 * 1.2 } }
        let r = try #require(PairedRatio(a, b))
        #expect(abs(r.ratio - 1.2) < 1e-9)
        #expect(r.low <= r.ratio && r.ratio <= r.high)
        #expect(r.low > 1.1)
    }

    @Test func moreRunsNarrowTheInterval() throws {
        func noisy(_ n: Int, _ scale: Double) -> [Double?] { (0..<n).map { 0.02 * scale + Double(($0 * 7919) % 101) * 0.0002 } }
        let few = try #require(PairedRatio(noisy(20, 1.05), noisy(20, 1)))
        let many = try #require(PairedRatio(noisy(400, 1.05), noisy(400, 1)))
        #expect(many.high - many.low < few.high - few.low)
    }

    @Test func timeoutsCountAsSlowest() throws {
        let b: [Double?] = Array(repeating: 1.0, count: 9)
        let a: [Double?] = [nil, nil, nil, nil, 2, 2, 2, 2, 2]
        let r = try #require(PairedRatio(a, b))
        #expect(r.ratio == 2)
        #expect(r.high == .infinity)
    }

    @Test func theSameRunsAlwaysGiveTheSameInterval() {
        let a: [Double?] = (0..<30).map { 0.03 + Double(($0 * 13) % 17) * 0.001 }
        let b: [Double?] = (0..<30).map { 0.03 + Double(($0 * 5) % 19) * 0.001 }
        #expect(PairedRatio(a, b) == PairedRatio(a, b))
    }

    @Test func noPairsOrTooManyOrAZeroMedianHaveNoRatio() {
        #expect(PairedRatio([], [1]) == nil)
        #expect(PairedRatio([1], [0]) == nil)
        #expect(PairedRatio([nil], [1]) == nil)
        let many = [Double?](repeating: 1, count: PairedRatio.maxPairs + 1)
        #expect(PairedRatio(many, many) == nil)
        let most = [Double?](repeating: 1, count: PairedRatio.maxPairs)
        #expect(PairedRatio(most, most) != nil)
    }
}
