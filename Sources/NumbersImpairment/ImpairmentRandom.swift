import NumbersProtocol

/// One independent SplitMix64 stream per stage, all derived from the config's seed.
///
/// Separate streams keep each stage's decisions fixed when another stage is switched on or off:
/// adding duplication to a run does not change which datagrams the same seed drops.
struct ImpairmentRandom: Sendable {
    var loss: SplitMix64
    var burst: SplitMix64
    var corrupt: SplitMix64
    var duplicate: SplitMix64
    var reorder: SplitMix64
    var timing: SplitMix64

    init(seed: UInt64) {
        func stream(_ index: UInt64) -> SplitMix64 {
            SplitMix64(seed: SplitMix64.mix(seed ^ (index &* 0xD1B5_4A32_D192_ED03)))
        }
        loss = stream(1); burst = stream(2); corrupt = stream(3)
        duplicate = stream(4); reorder = stream(5); timing = stream(6)
    }
}

extension SplitMix64 {
    /// True with probability `probability`. Draws nothing when it is 0, so a disabled stage
    /// consumes no randomness.
    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && nextUnitDouble() < probability
    }

    /// `delay + uniform(−jitter, +jitter)`, clamped at zero. Both are bounded by validation
    /// (at most an hour), so the sums below cannot overflow.
    mutating func jittered(delay: Nanoseconds, jitter: Nanoseconds) -> Nanoseconds {
        guard jitter.value > 0 else { return delay }
        let offset = UInt64.random(in: 0...(2 * jitter.value), using: &self)
        let total = delay.value + offset
        return Nanoseconds(total >= jitter.value ? total - jitter.value : 0)
    }
}
