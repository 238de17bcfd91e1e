import Glibc
import NumbersProtocol

/// ppoll(2) over a few descriptors with a nanosecond timeout, restarted after signals.
package enum Poller {
    /// Waits until one of `entries` reports one of its events or `timeout` passes (nil: forever).
    /// True when something is ready (see each entry's revents); false on timeout.
    package static func wait(_ entries: UnsafeMutableBufferPointer<pollfd>, timeout: Nanoseconds?) -> Bool {
        let deadline = timeout.map { MonotonicClock.now() + $0 }
        while true {
            for index in entries.indices { entries[index].revents = 0 }
            let ready: Int32
            if let deadline {
                var remaining = interval(deadline - MonotonicClock.now())
                ready = LinuxOnlyCalls.ppoll(entries.baseAddress, nfds_t(entries.count), &remaining, nil)
            } else {
                ready = LinuxOnlyCalls.ppoll(entries.baseAddress, nfds_t(entries.count), nil, nil)
            }
            if ready > 0 { return true }
            if ready == 0 {
                // poll may return a hair early relative to our clock; only give up at the deadline.
                guard let deadline, MonotonicClock.now() < deadline else { return false }
                continue
            }
            // EINTR: a signal arrived (perhaps the one a SignalTrap also reports via a Wakeup);
            // wait again for what is left. Other errors (ENOMEM) are reported as "nothing ready".
            guard errno == EINTR else { return false }
            if let deadline, MonotonicClock.now() >= deadline { return false }
        }
    }

    /// The timeout as ppoll takes it: exact to the nanosecond (whole milliseconds, as poll counts,
    /// would make a 100 µs pace 1 ms), and at most a day, which any wait here is far below.
    static func interval(_ remaining: Nanoseconds) -> timespec {
        let capped = min(remaining.value, 86_400 * 1_000_000_000)
        return timespec(tv_sec: Int(capped / 1_000_000_000), tv_nsec: Int(capped % 1_000_000_000))
    }
}
