import NumbersProtocol

/// Why an `ImpairmentConfig`, a `GilbertElliott` model or a `BottleneckLink` cannot be used. The
/// bounds live here only: the command-line tools map these errors to usage errors (exit 2) naming
/// the flag, as they do `ConfigurationError`, instead of repeating the checks.
package enum ImpairmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A per-datagram probability (`setting`: dropRate, duplicateRate, reorderRate, corruptRate)
    /// outside [0, 1), or NaN.
    case rateOutOfRange(setting: String, value: Double)
    /// A Gilbert–Elliott parameter out of its range: p and r in (0, 1], 1-h and 1-k in [0, 1].
    case burstParameterOutOfRange(BurstParameter, value: Double)
    /// `delay` or `jitter` (`setting`) above `ImpairmentConfig.maxDelay`.
    case delayTooLong(setting: String, value: Nanoseconds)
    /// `goOfflineFor` without `failEvery`: there would be no failure to go offline at.
    case offlineWithoutFailures
    /// The held-datagram limit below 1.
    case heldLimitBelowOne(Int)
    /// A bottleneck rate outside `BottleneckLink.rateRange` (bit/s).
    case bottleneckRateOutOfRange(UInt64)
    /// A bottleneck queue outside 1...`BottleneckLink.maxQueueLimit` bytes.
    case bottleneckQueueOutOfRange(Int)
    /// A bottleneck propagation delay above `ImpairmentConfig.maxDelay`.
    case bottleneckPropagationTooLong(Nanoseconds)
    /// A per-datagram overhead outside 0...1000 bytes.
    case bottleneckOverheadOutOfRange(Int)

    /// The four parameters of the Gilbert–Elliott chain, spelled as netem spells them.
    package enum BurstParameter: String, Sendable, Hashable {
        case p, r
        case lossInBad = "1-h"
        case lossInGood = "1-k"

        var range: String {
            switch self {
            case .p: "(Good→Bad) must be in (0, 1]"
            case .r: "(Bad→Good) must be in (0, 1]"
            case .lossInBad: "(loss in Bad) must be in [0, 1]"
            case .lossInGood: "(loss in Good) must be in [0, 1]"
            }
        }
    }

    /// The setting at fault, spelled as the command-line flag where there is one.
    package var setting: String {
        switch self {
        case .rateOutOfRange(let setting, _), .delayTooLong(let setting, _): setting
        case .burstParameterOutOfRange: "burstLoss"
        case .offlineWithoutFailures: "goOfflineFor"
        case .heldLimitBelowOne: "heldLimit"
        case .bottleneckRateOutOfRange, .bottleneckQueueOutOfRange, .bottleneckPropagationTooLong, .bottleneckOverheadOutOfRange: "bottleneck"
        }
    }

    package var description: String {
        switch self {
        case .rateOutOfRange(let setting, let value): "\(setting) must be in [0, 1), got \(value)"
        case .burstParameterOutOfRange(let parameter, let value): "burstLoss \(parameter.rawValue) \(parameter.range), got \(value)"
        case .delayTooLong(let setting, let value): "\(setting) must be at most \(ImpairmentConfig.maxDelay), got \(value)"
        case .offlineWithoutFailures: "goOfflineFor needs -failEvery"
        case .heldLimitBelowOne(let value): "held-datagram limit must be at least 1, got \(value)"
        case .bottleneckRateOutOfRange(let rate): "bottleneck rate must be between 1 kbit/s and 100 Gbit/s, got \(rate) bit/s"
        case .bottleneckQueueOutOfRange(let limit): "bottleneck queue must be between 1 byte and 1 GB, got \(limit)"
        case .bottleneckPropagationTooLong(let delay): "bottleneck propagation delay must be at most \(ImpairmentConfig.maxDelay), got \(delay)"
        case .bottleneckOverheadOutOfRange(let overhead): "bottleneck overhead must be between 0 and 1000 bytes, got \(overhead)"
        }
    }
}
