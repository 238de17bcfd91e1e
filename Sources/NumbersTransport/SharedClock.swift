import Glibc
import NumbersProtocol

/// The clock the server runs on: nanoseconds since the Unix epoch, so that times written to a
/// shared store (a session's `lastHeard`) and the address-validation token's epoch mean the same
/// in every server process and on every host whose clock is synchronised. It is read once from
/// the wall clock and then advanced by the monotonic clock, so that it never jumps while the
/// process runs: pacing and timeouts stay as steady as on CLOCK_MONOTONIC.
package enum SharedClock {
    private static let offset: UInt64 = {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let wallNanoseconds = UInt64(wall.tv_sec) &* 1_000_000_000 &+ UInt64(wall.tv_nsec)
        return wallNanoseconds &- MonotonicClock.now().nanoseconds
    }()

    package static func now() -> Instant {
        Instant(nanoseconds: MonotonicClock.now().nanoseconds &+ offset)
    }
}
