extension ImpairmentConfig {
    /// A message naming the first bad value, in the flag spelling of the command line, or nil.
    public func validate() -> String? {
        // Negated range checks, so that NaN is rejected too.
        func rate(_ name: String, _ value: Double) -> String? {
            value >= 0 && value < 1 ? nil : "-\(name) must be in [0, 1), got \(value)"
        }
        if let error = rate("dropRate", dropRate) { return error }
        if let error = burst?.validate() { return error }
        if let error = rate("duplicateRate", duplicateRate) { return error }
        if let error = rate("reorderRate", reorderRate) { return error }
        if let error = rate("corruptRate", corruptRate) { return error }
        if delay > Self.maxDelay { return "-delay must be at most \(Self.maxDelay), got \(delay)" }
        if jitter > Self.maxDelay { return "-jitter must be at most \(Self.maxDelay), got \(jitter)" }
        if goOfflineFor > .zero && failEvery == 0 { return "-goOfflineFor needs -failEvery" }
        if let error = bottleneck?.validate() { return error }
        if heldLimit < 1 { return "held-datagram limit must be at least 1, got \(heldLimit)" }
        return nil
    }
}
