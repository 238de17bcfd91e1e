/// A point on a monotonic clock, in nanoseconds from an arbitrary origin.
///
/// The engines never read a clock: every entry point takes `now: Instant`, so the same code runs
/// against the kernel's monotonic clock and against a simulation's virtual clock.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)
    /// Stands for "no deadline": later than every real instant.
    public static let never = Instant(nanoseconds: .max)

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Saturating, so that `never + d` stays `never` and huge durations cannot trap.
    public static func + (a: Instant, d: Nanoseconds) -> Instant {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(d.value)
        return Instant(nanoseconds: overflow ? .max : sum)
    }

    /// Saturating at zero: the time from `b` to `a`, or zero if `a` is earlier.
    public static func - (a: Instant, b: Instant) -> Nanoseconds {
        Nanoseconds(a.nanoseconds >= b.nanoseconds ? a.nanoseconds - b.nanoseconds : 0)
    }

    public var description: String {
        self == .never ? "never" : "\(Double(nanoseconds) / 1e9)s"
    }
}

/// A non-negative span of time in nanoseconds. A plain integer wrapper rather than `Swift.Duration`
/// because it is on every per-datagram path and must stay one machine word.
public struct Nanoseconds: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }

    public static let zero = Nanoseconds(0)
    public static func milliseconds(_ ms: UInt64) -> Nanoseconds { Nanoseconds(ms.multipliedReportingOverflow(by: 1_000_000).overflow ? .max : ms * 1_000_000) }
    public static func microseconds(_ us: UInt64) -> Nanoseconds { Nanoseconds(us.multipliedReportingOverflow(by: 1_000).overflow ? .max : us * 1_000) }
    public static func seconds(_ s: UInt64) -> Nanoseconds { Nanoseconds(s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000) }
    public static func seconds(_ s: Double) -> Nanoseconds { Nanoseconds(s <= 0 ? 0 : (s >= 1.8e10 ? .max : UInt64(s * 1e9))) }

    public var seconds: Double { Double(value) / 1e9 }

    public static func < (a: Nanoseconds, b: Nanoseconds) -> Bool { a.value < b.value }
    public static func + (a: Nanoseconds, b: Nanoseconds) -> Nanoseconds {
        let (s, o) = a.value.addingReportingOverflow(b.value); return Nanoseconds(o ? .max : s)
    }
    public static func * (a: Nanoseconds, k: UInt64) -> Nanoseconds {
        let (p, o) = a.value.multipliedReportingOverflow(by: k); return Nanoseconds(o ? .max : p)
    }

    /// As Go prints a measured `time.Duration` (`828.677ms`, `1.5s`, `1m30s`): see `DurationText.measured`.
    public var description: String { DurationText.measured(value) }
}
