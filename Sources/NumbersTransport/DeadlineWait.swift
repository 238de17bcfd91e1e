import Glibc
import NumbersProtocol

/// How the server loop waits for its engine's next deadline, so that `-interval` is honoured down
/// to 100 µs without turning a server of many slow sessions into a busy loop.
///
/// The engine schedules each session's next DATA at the previous one's deadline plus the interval,
/// so waking late does not shift the schedule: the mean spacing stays the interval as long as each
/// wake is less than one interval late. Two allowances follow from that:
/// - `tolerance`: a wake may be this late on purpose (a tenth of the interval, at most 1 ms), so
///   that deadlines close together (100,000 sessions at 1 number/s) are served in one turn;
/// - `spin`: a sleep ends some tens of µs after its timeout (timer slack, the scheduler), which is
///   a large part of a sub-millisecond interval, so below 1 ms the last stretch before the deadline
///   is not slept but spun, checking the socket on every round.
struct DeadlineWait {
    let tolerance: Nanoseconds
    let spin: Nanoseconds

    /// Spinning pays only where a sleep's lateness is a sizeable part of the interval.
    static let spinBelowInterval = Nanoseconds.milliseconds(1)
    static let spinStretch = Nanoseconds.microseconds(60)
    static let maxTolerance = Nanoseconds.milliseconds(1)

    init(interval: Nanoseconds) {
        tolerance = min(Nanoseconds(interval.value / 10), Self.maxTolerance)
        spin = interval > .zero && interval < Self.spinBelowInterval ? Self.spinStretch : .zero
    }

    /// Returns when the socket is readable, `wakeup` is signalled, or `timeout` (plus the tolerance)
    /// has passed; nil waits for the socket or the wakeup alone.
    func wait(on socket: UDPSocket, timeout: Nanoseconds?, wakeup: Wakeup?) {
        guard let timeout else {
            _ = socket.wait(timeout: nil, wakeup: wakeup)
            return
        }
        let target = timeout + tolerance
        let end = MonotonicClock.now() + target
        if target > spin {
            if !socket.wait(timeout: Nanoseconds(target.value - spin.value), wakeup: wakeup).isEmpty { return }
        }
        while MonotonicClock.now() < end {
            if !socket.wait(timeout: .zero, wakeup: wakeup).isEmpty { return }
        }
    }
}
