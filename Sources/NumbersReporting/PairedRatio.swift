/// The ratio of two medians measured in pairs (A's i-th run beside B's i-th), with a percentile
/// bootstrap interval: the pairs are resampled with replacement, so that whatever the machine
/// did to both runs of a pair stays in the pair. A median of fifty runs of a transfer that takes
/// 20 ms moves by several percent between two sets on the same build; the interval says how far
/// one set's ratio can be trusted, and more runs narrow it.
public struct PairedRatio: Sendable, Equatable {
    /// median(A) ÷ median(B) over every pair.
    public let ratio: Double
    /// The bootstrap's 2.5th and 97.5th percentiles of the same ratio.
    public let low: Double
    public let high: Double

    /// Resamples drawn; enough for a 95% interval's ends to settle to a percent.
    public static let resamples = 2_000
    /// The most pairs accepted, which bounds the work to `resamples` × this.
    public static let maxPairs = 1_000

    /// Nil without a pair, with more than `maxPairs`, or when B's median is not positive. A nil
    /// run (a timeout) counts as slower than any finish; a resample whose median is one has no
    /// ratio and lands above every finite one.
    public init?(_ a: [Double?], _ b: [Double?], seed: UInt64 = 1) {
        let count = min(a.count, b.count)
        guard count > 0, count <= Self.maxPairs else { return nil }
        let left = a.prefix(count).map { $0 ?? .infinity }, right = b.prefix(count).map { $0 ?? .infinity }
        guard let ratio = Self.ratio(left, right) else { return nil }
        var random = SplitMix(state: seed)
        var ratios: [Double] = []
        ratios.reserveCapacity(Self.resamples)
        var x = [Double](repeating: 0, count: count), y = [Double](repeating: 0, count: count)
        for _ in 0..<Self.resamples {
            for i in 0..<count {
                let pick = Int(random.next() % UInt64(count))
                x[i] = left[pick]; y[i] = right[pick]
            }
            ratios.append(Self.ratio(x, y) ?? .infinity)
        }
        ratios.sort()
        self.ratio = ratio
        low = ratios[Int(0.025 * Double(Self.resamples))]
        high = ratios[Int(0.975 * Double(Self.resamples)) - 1]
    }

    private static func ratio(_ a: [Double], _ b: [Double]) -> Double? {
        let m = NumbersReporting.median(a), n = NumbersReporting.median(b)
        guard n > 0, n.isFinite, m.isFinite else { return nil }
        return m / n
    }

    /// Deterministic, so that one set of runs always prints the same interval.
    private struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
