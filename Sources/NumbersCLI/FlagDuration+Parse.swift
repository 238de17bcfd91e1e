extension FlagDuration {
    /// Nanoseconds per unit; both micro signs are listed because U+00B5 and U+03BC are different
    /// characters even though they look the same, and Go accepts both.
    static let units: [String: UInt64] = [
        "ns": 1,
        "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000,
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    static let examples = "e.g. 500ms, 2s, 1m30s"

    /// Go's `time.ParseDuration` syntax: one or more `<number><unit>` parts, each number possibly
    /// fractional (`1.5s`, `1m30s`). A bare `0` is the only unitless form. Negative spans are
    /// refused because every duration flag here is a timeout, interval or rate.
    package init(parsing text: String) throws(InvalidFlagValue) {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "-" { throw InvalidFlagValue("durations cannot be negative") }
        if scalars.first == "+" { scalars = scalars.dropFirst() }
        if String(scalars) == "0" {
            self = .zero
            return
        }
        guard !scalars.isEmpty else { throw InvalidFlagValue("not a duration (\(Self.examples))") }

        var total: UInt64 = 0
        while !scalars.isEmpty {
            let part = try Self.parsePart(&scalars)
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { throw InvalidFlagValue("duration too large") }
            total = sum
        }
        self.init(nanoseconds: total)
    }

    /// Consumes one `<number><unit>` from the front and returns it in nanoseconds.
    private static func parsePart(_ scalars: inout Substring.UnicodeScalarView) throws(InvalidFlagValue) -> UInt64 {
        let tooLarge = InvalidFlagValue("duration too large")
        var whole: UInt64 = 0
        var sawDigit = false
        while let digit = scalars.first.flatMap(digitValue) {
            let (shifted, o1) = whole.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw tooLarge }
            whole = next
            sawDigit = true
            scalars.removeFirst()
        }

        // The fraction is kept as numerator/scale and applied to the unit exactly below.
        // Digits past the 19th cannot change a nanosecond count and are ignored, as in Go.
        var fraction: UInt64 = 0
        var scale: UInt64 = 1
        if scalars.first == "." {
            scalars.removeFirst()
            while let digit = scalars.first.flatMap(digitValue) {
                if scale <= UInt64.max / 10 {
                    fraction = fraction * 10 + digit
                    scale *= 10
                }
                sawDigit = true
                scalars.removeFirst()
            }
        }
        guard sawDigit else { throw InvalidFlagValue("not a duration (\(examples))") }

        let unitText = scalars.prefix { digitValue($0) == nil && $0 != "." }
        scalars.removeFirst(unitText.count)
        guard !unitText.isEmpty else { throw InvalidFlagValue("missing unit in duration (\(examples))") }
        guard let unit = units[String(unitText)] else {
            throw InvalidFlagValue("unknown unit \(String(unitText).debugDescription) in duration (use ns, us, ms, s, m, h)")
        }

        let (wholePart, o1) = whole.multipliedReportingOverflow(by: unit)
        // fraction < scale, so fraction * unit / scale < unit: the quotient always fits.
        let fractionPart = scale.dividingFullWidth(fraction.multipliedFullWidth(by: unit)).quotient
        let (part, o2) = wholePart.addingReportingOverflow(fractionPart)
        guard !o1, !o2 else { throw tooLarge }
        return part
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt64? {
        ("0"..."9").contains(scalar) ? UInt64(scalar.value - 48) : nil
    }
}
