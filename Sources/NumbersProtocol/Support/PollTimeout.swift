extension Nanoseconds {
    /// This wait as poll(2)'s timeout in whole milliseconds, the one rounding of the package.
    ///
    /// Rounded up past the deadline (whole milliseconds plus one), so a wait never ends before it
    /// and a caller does not spin through a sub-millisecond remainder at timeout 0; zero stays zero
    /// (poll returns at once). At most `cap`, so a far deadline still wakes the caller now and then.
    ///
    /// - Precondition: `cap >= 0`.
    /// - Returns: a value in `0...cap`.
    public func pollMilliseconds(atMost cap: Int32 = .max) -> Int32 {
        precondition(cap >= 0)
        guard value > 0 else { return 0 }
        return Int32(min(value / 1_000_000 + 1, UInt64(cap)))
    }
}
