/// A non-negative span of time given on the command line, in nanoseconds.
///
/// Defined here rather than reusing `NumbersProtocol.Nanoseconds` so this module stays free of
/// dependencies; executables convert with `Nanoseconds(flag.value.nanoseconds)`.
package struct FlagDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var nanoseconds: UInt64

    package init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    package static let zero = FlagDuration(nanoseconds: 0)

    /// Saturating, so a huge literal in a default cannot trap at startup.
    package static func microseconds(_ count: UInt64) -> FlagDuration { scaled(count, by: 1_000) }
    package static func milliseconds(_ count: UInt64) -> FlagDuration { scaled(count, by: 1_000_000) }
    package static func seconds(_ count: UInt64) -> FlagDuration { scaled(count, by: 1_000_000_000) }
    package static func minutes(_ count: UInt64) -> FlagDuration { scaled(count, by: 60_000_000_000) }

    private static func scaled(_ count: UInt64, by unit: UInt64) -> FlagDuration {
        let (product, overflow) = count.multipliedReportingOverflow(by: unit)
        return FlagDuration(nanoseconds: overflow ? .max : product)
    }

    package static func < (a: FlagDuration, b: FlagDuration) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Go's `time.Duration.String` form, e.g. `1.5s`, `500ms`, `1m30s`, `0s`.
    package var description: String { formatted }
}

extension FlagDuration: FlagValue {
    package static var flagKind: String { "duration" }
    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> FlagDuration {
        try FlagDuration(parsing: text)
    }
    package var flagDefaultText: String? { formatted }
}
