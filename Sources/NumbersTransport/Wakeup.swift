import Glibc

/// An eventfd that a waiting loop polls next to its socket, so that another thread, or a signal
/// handler, can interrupt the wait at once instead of at the next timeout.
package final class Wakeup: Sendable {
    package let descriptor: Int32

    package init() throws(SocketError) {
        let descriptor = LinuxOnlyCalls.eventfd(0, LinuxOnlyCalls.eventFDNonBlocking | LinuxOnlyCalls.eventFDCloseOnExec)
        guard descriptor >= 0 else { throw SocketError.system("eventfd") }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Makes the descriptor readable. Async-signal-safe (a single write(2)); never blocks, and a
    /// wakeup already pending is enough, so a failed write (counter full) loses nothing.
    package func signal() {
        Self.signal(descriptor: descriptor)
    }

    static func signal(descriptor: Int32) {
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Consumes pending wakeups so that the next wait blocks again.
    package func drain() {
        var value: UInt64 = 0
        _ = read(descriptor, &value, MemoryLayout<UInt64>.size)
    }
}
