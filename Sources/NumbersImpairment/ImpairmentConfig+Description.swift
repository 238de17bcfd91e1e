#if canImport(Glibc)
import Glibc  // libm, for rounded()
#endif

extension ImpairmentConfig: CustomStringConvertible {
    /// One line for the start-up log, naming only the active stages and always the seed, e.g.
    /// `impairment: drop 0.1, delay 20ms ±5ms, seed 42`.
    package var description: String {
        var parts: [String] = []
        if dropRate > 0 { parts.append("drop \(dropRate)") }
        if let burst {
            parts.append("burst \(burst) (mean burst \(burst.meanBadLength), loss \(Percent.text(burst.stationaryLossRate)))")
        }
        if duplicateRate > 0 { parts.append("duplicate \(duplicateRate)") }
        if reorderRate > 0 { parts.append("reorder \(reorderRate) (hold ≤\(reorderHold))") }
        if corruptRate > 0 { parts.append("corrupt \(corruptRate)") }
        if delay > .zero || jitter > .zero { parts.append("delay \(delay) ±\(jitter)") }
        if let bottleneck { parts.append(bottleneck.description) }
        if failEvery > 0 { parts.append("failEvery \(failEvery)") }
        if goOfflineFor > .zero { parts.append("goOfflineFor \(goOfflineFor)") }
        if holdsDatagrams && heldLimit != Self.defaultHeldLimit { parts.append("held ≤\(heldLimit)") }
        if parts.isEmpty { parts.append("none") }
        parts.append("seed \(seed)")
        return "impairment: " + parts.joined(separator: ", ")
    }
}

/// Percentages with one decimal, without Foundation: 0.0976 → "9.8%".
enum Percent {
    static func text(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "\(fraction)" }
        let tenths = Int((fraction * 1000).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }

    static func text(_ part: UInt64, of whole: UInt64) -> String {
        whole == 0 ? "0.0%" : text(Double(part) / Double(whole))
    }
}
