import Glibc
import NumbersProtocol

/// The kernel's monotonic clock, the only clock the engines are driven with: it never jumps when
/// the wall clock is set, so timeouts and pacing stay correct.
package enum MonotonicClock {
    package static func now() -> Instant {
        var time = timespec()
        // Cannot fail for CLOCK_MONOTONIC with a valid pointer.
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Instant(nanoseconds: UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec))
    }
}
