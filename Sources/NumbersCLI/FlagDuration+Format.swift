import NumbersProtocol

extension FlagDuration {
    /// Go's `time.Duration.String`, so help defaults read the same as the Go tools this CLI imitates.
    var formatted: String { DurationText.exact(nanoseconds) }
}
