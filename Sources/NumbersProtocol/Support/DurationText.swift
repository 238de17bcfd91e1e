/// Durations as Go's `time.Duration.String` writes them: below a second in the largest unit that
/// keeps the integer part non-zero (`828.677ms`, `1.5µs`, `10ns`), from a second on as hours,
/// minutes and seconds (`1m30s`, `1h0m0s`, `6.4s`), trailing zeros dropped.
package enum DurationText {
    /// The exact form of `nanoseconds`, as Go prints a `time.Duration` of that many nanoseconds.
    package static func exact(_ nanoseconds: UInt64) -> String {
        let ns = nanoseconds
        if ns == 0 { return "0s" }
        if ns < 1_000 { return "\(ns)ns" }
        if ns < 1_000_000 { return decimal(ns, unit: 1_000, digits: 3) + "\u{00B5}s" }
        if ns < 1_000_000_000 { return decimal(ns, unit: 1_000_000, digits: 6) + "ms" }

        let totalSeconds = ns / 1_000_000_000
        let hours = totalSeconds / 3600
        let minutes = totalSeconds / 60 % 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        return text + decimal(ns % 60_000_000_000, unit: 1_000_000_000, digits: 9) + "s"
    }

    /// A measured span as a log shows it: from a millisecond on, rounded to the microsecond as
    /// Go's `d.Round(time.Microsecond)` does (half away from zero), since the nanoseconds of a
    /// measurement are noise; shorter spans exactly.
    package static func measured(_ nanoseconds: UInt64) -> String {
        guard nanoseconds >= 1_000_000 else { return exact(nanoseconds) }
        let remainder = nanoseconds % 1_000
        let down = nanoseconds - remainder
        let (up, overflow) = down.addingReportingOverflow(1_000)
        return exact(remainder >= 500 && !overflow ? up : down)
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
