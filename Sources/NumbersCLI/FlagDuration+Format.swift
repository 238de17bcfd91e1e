extension FlagDuration {
    /// Go's `time.Duration.String`: sub-second spans in the largest unit below a second
    /// (`500ms`, `1.5µs`, `10ns`), longer ones as hours, minutes and seconds (`1m30s`, `1h0m0s`),
    /// so help defaults read the same as the Go tools this CLI imitates.
    var formatted: String {
        let ns = nanoseconds
        if ns == 0 { return "0s" }
        if ns < 1_000 { return "\(ns)ns" }
        if ns < 1_000_000 { return Self.decimal(ns, unit: 1_000, digits: 3) + "\u{00B5}s" }
        if ns < 1_000_000_000 { return Self.decimal(ns, unit: 1_000_000, digits: 6) + "ms" }

        let totalSeconds = ns / 1_000_000_000
        let hours = totalSeconds / 3600
        let minutes = totalSeconds / 60 % 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        let secondsNanos = ns % 60_000_000_000
        return text + Self.decimal(secondsNanos, unit: 1_000_000_000, digits: 9) + "s"
    }

    /// `value / unit` with the remainder as a decimal fraction, trailing zeros dropped.
    private static func decimal(_ value: UInt64, unit: UInt64, digits: Int) -> String {
        let whole = value / unit
        let remainder = value % unit
        guard remainder > 0 else { return "\(whole)" }
        var fraction = String(remainder)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
