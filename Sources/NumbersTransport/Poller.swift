import Glibc
import NumbersProtocol

/// poll(2) over a few descriptors with a nanosecond timeout, restarted after signals.
enum Poller {
    /// Waits until one of `entries` reports one of its events or `timeout` passes (nil: forever).
    /// True when something is ready (see each entry's revents); false on timeout.
    static func wait(_ entries: UnsafeMutableBufferPointer<pollfd>, timeout: Nanoseconds?) -> Bool {
        let deadline = timeout.map { MonotonicClock.now() + $0 }
        while true {
            for index in entries.indices { entries[index].revents = 0 }
            let milliseconds = deadline.map { pollMilliseconds($0 - MonotonicClock.now()) } ?? -1
            let ready = poll(entries.baseAddress, nfds_t(entries.count), milliseconds)
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

    /// poll counts whole milliseconds: round up, so that a short timer does not become a busy spin.
    static func pollMilliseconds(_ remaining: Nanoseconds) -> Int32 {
        let rounded = remaining.value / 1_000_000 + (remaining.value % 1_000_000 == 0 ? 0 : 1)
        return Int32(clamping: rounded)
    }
}
