import NumbersProtocol

/// What the impairment model does to the datagrams one side sends. The default does nothing.
///
/// Each offered datagram goes through these stages, in this order (see `Impairment.offer`):
/// 1. offline check: offered during an offline period → discarded (`offlineDropped`);
/// 2. `failEvery`: every Nth datagram counted while online fails (`failed`) and may start an
///    offline period of `goOfflineFor`;
/// 3. loss: independent `dropRate` (`dropped`), then the Gilbert–Elliott `burst` chain
///    (`burstDropped`); the chain steps on every datagram reaching this stage;
/// 4. corruption: `corruptRate`, 1–3 bit flips in a copy (`corrupted`);
/// 5. duplication: `duplicateRate`, one extra identical copy (`duplicated`);
/// 6. the `bottleneck` link, per copy: dropped when its queue is full (`queueDropped`), otherwise
///    it leaves the link after the datagrams before it, plus the propagation delay;
/// 7. scheduling, per copy: held for reordering with `reorderRate` (`reordered`), otherwise
///    released at (the time it left the link, or now) + `delay` ± `jitter` (`delayed` when that
///    is later than now).
package struct ImpairmentConfig: Sendable, Equatable {
    /// Independent loss probability per datagram, in [0, 1).
    package var dropRate: Double
    /// Burst loss, or nil for none.
    package var burst: GilbertElliott?
    /// Probability that a datagram is sent twice, in [0, 1).
    package var duplicateRate: Double
    /// Probability that a datagram is held back until 1–3 later datagrams have gone (or until
    /// `reorderHold` past its normal release time), in [0, 1).
    package var reorderRate: Double
    /// Probability that a copy of the datagram has 1–3 bits flipped, in [0, 1).
    package var corruptRate: Double
    /// Fixed one-way delay added to every datagram. At most `maxDelay`.
    package var delay: Nanoseconds
    /// Uniform ±jitter around `delay`, clamped so a datagram is never released before it was sent.
    /// May exceed `delay`. At most `maxDelay`.
    package var jitter: Nanoseconds
    /// Every Nth datagram offered while online fails (N, 2N, 3N, …); 0 turns it off.
    package var failEvery: UInt64
    /// After each failure the sender is offline this long; needs `failEvery`.
    package var goOfflineFor: Nanoseconds
    /// Seeds every random decision: the same seed and inputs give the same outputs.
    package var seed: UInt64
    /// Most datagrams held inside at once (delayed or reordered); beyond it, `overflowDropped`.
    package var heldLimit: Int
    /// A rate-limited link with a drop-tail queue, shared by everything this side sends; nil for none.
    package var bottleneck: BottleneckLink?

    /// Bound on `delay` and `jitter`: far beyond any useful value, and it keeps time sums exact.
    package static let maxDelay = Nanoseconds.seconds(3_600 as UInt64)
    /// Shortest hold of a reordered datagram, so that reordering still happens without `delay`.
    package static let minReorderHold = Nanoseconds.milliseconds(10)
    package static let defaultHeldLimit = 100_000

    package init(dropRate: Double = 0, burst: GilbertElliott? = nil, duplicateRate: Double = 0,
                reorderRate: Double = 0, corruptRate: Double = 0,
                delay: Nanoseconds = .zero, jitter: Nanoseconds = .zero,
                failEvery: UInt64 = 0, goOfflineFor: Nanoseconds = .zero,
                seed: UInt64 = 0, heldLimit: Int = ImpairmentConfig.defaultHeldLimit, bottleneck: BottleneckLink? = nil) {
        self.dropRate = dropRate; self.burst = burst; self.duplicateRate = duplicateRate
        self.reorderRate = reorderRate; self.corruptRate = corruptRate
        self.delay = delay; self.jitter = jitter
        self.failEvery = failEvery; self.goOfflineFor = goOfflineFor
        self.seed = seed; self.heldLimit = heldLimit; self.bottleneck = bottleneck
    }

    /// The config that does nothing.
    package static let none = ImpairmentConfig()

    /// True when no stage can change, delay or remove a datagram: the shell may bypass the model.
    package var isTransparent: Bool {
        dropRate == 0 && (burst.map { $0.lossInBad == 0 && $0.lossInGood == 0 } ?? true)
            && duplicateRate == 0 && reorderRate == 0 && corruptRate == 0
            && delay == .zero && jitter == .zero && failEvery == 0 && bottleneck == nil
    }

    /// True when some datagram may be released later than it is offered, so copies are kept.
    package var holdsDatagrams: Bool { delay > .zero || jitter > .zero || reorderRate > 0 || bottleneck != nil }

    /// How long past its normal release time (offer + `delay`) a reordered datagram may wait for
    /// later ones: max(delay, 10ms). Measured from the normal release time rather than from the
    /// offer, otherwise with a delay of 10ms or more it would never be overtaken.
    package var reorderHold: Nanoseconds { max(delay, Self.minReorderHold) }

    /// Long-run fraction lost by the random stages: 1 − (1 − dropRate)(1 − burst loss).
    package var expectedLossRate: Double {
        1 - (1 - dropRate) * (1 - (burst?.stationaryLossRate ?? 0))
    }
}
