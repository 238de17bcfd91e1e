import Glibc
import NumbersProtocol

/// Why a wait ended: data to read, a wakeup, both, or neither (timeout).
package struct Readiness: OptionSet, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The socket has a datagram (or a pending error) to read.
    package static let readable = Readiness(rawValue: 1)
    /// The wakeup was signalled; it has been drained already.
    package static let woken = Readiness(rawValue: 2)
}

extension UDPSocket {
    /// Blocks until a datagram can be read or `timeout` passes (nil: no limit). True if readable.
    package func waitReadable(timeout: Nanoseconds?) -> Bool {
        wait(timeout: timeout, wakeup: nil).contains(.readable)
    }

    /// Blocks until the socket is readable, `wakeup` is signalled, or `timeout` passes.
    /// A signalled wakeup is drained here, so the caller only checks why it was woken.
    package func wait(timeout: Nanoseconds?, wakeup: Wakeup?) -> Readiness {
        withUnsafeTemporaryAllocation(of: pollfd.self, capacity: 2) { entries in
            entries[0] = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            entries[1] = pollfd(fd: wakeup?.descriptor ?? -1, events: Int16(POLLIN), revents: 0)
            let used = UnsafeMutableBufferPointer(rebasing: entries[0..<(wakeup == nil ? 1 : 2)])
            guard Poller.wait(used, timeout: timeout) else { return [] }
            var readiness: Readiness = []
            // POLLERR/POLLHUP also mean "a read will not block" (it reports the error).
            if entries[0].revents != 0 { readiness.insert(.readable) }
            if let wakeup, entries[1].revents != 0 {
                wakeup.drain()
                readiness.insert(.woken)
            }
            return readiness
        }
    }

    /// Blocks until the send buffer has room or `deadline` passes. True if writable.
    func waitWritable(until deadline: Instant) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        return withUnsafeMutablePointer(to: &entry) { pointer in
            Poller.wait(UnsafeMutableBufferPointer(start: pointer, count: 1), timeout: deadline - MonotonicClock.now())
        }
    }
}
