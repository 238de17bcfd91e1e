extension ImpairmentConfig {
    /// Checks every setting, the burst model's and the bottleneck's included.
    /// - Throws: the first setting out of its range, in the order of the command line's flags.
    package func validate() throws(ImpairmentError) {
        // Negated range checks, so that NaN is rejected too.
        func rate(_ name: String, _ value: Double) throws(ImpairmentError) {
            guard value >= 0 && value < 1 else { throw .rateOutOfRange(setting: name, value: value) }
        }
        try rate("dropRate", dropRate)
        try burst?.validate()
        try rate("duplicateRate", duplicateRate)
        try rate("reorderRate", reorderRate)
        try rate("corruptRate", corruptRate)
        if delay > Self.maxDelay { throw .delayTooLong(setting: "delay", value: delay) }
        if jitter > Self.maxDelay { throw .delayTooLong(setting: "jitter", value: jitter) }
        if goOfflineFor > .zero && failEvery == 0 { throw .offlineWithoutFailures }
        try bottleneck?.validate()
        if heldLimit < 1 { throw .heldLimitBelowOne(heldLimit) }
    }
}
