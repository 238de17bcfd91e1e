import Glibc
import Synchronization

// A signal handler can reach only global state, and must touch nothing but async-signal-safe
// operations: lock-free atomics and write(2). These are the handler's whole world.
private let caughtSignal = Atomic<Int32>(0)
private let wakeupDescriptor = Atomic<Int32>(-1)
private let trapInstalled = Atomic<Bool>(false)

private func recordSignal(_ number: Int32) {
    // write(2) may set errno; the interrupted code must not see it change.
    let savedErrno = errno
    caughtSignal.store(number, ordering: .sequentiallyConsistent)
    let descriptor = wakeupDescriptor.load(ordering: .sequentiallyConsistent)
    if descriptor >= 0 { Wakeup.signal(descriptor: descriptor) }
    errno = savedErrno
}

/// Turns SIGINT/SIGTERM into a flag and a wakeup, so that a loop blocked in poll ends promptly and
/// shuts down in its own time (flushing, printing its summary) instead of dying mid-write.
/// One trap at a time per process; the previous dispositions come back on `restore()` or deinit.
package final class SignalTrap: Sendable {
    package let signals: [Int32]
    /// Signalled when a trapped signal arrives; poll it next to the socket.
    package let wakeup: Wakeup
    private let previous: Mutex<[Int32: sigaction]>

    package init(signals: [Int32] = [SIGINT, SIGTERM], wakeup: Wakeup) throws(SocketError) {
        guard trapInstalled.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else {
            throw SocketError(operation: "sigaction", code: EBUSY, message: "a signal trap is already installed")
        }
        self.signals = signals
        self.wakeup = wakeup
        // The globals are set before any handler can run, so the handler never initializes them.
        caughtSignal.store(0, ordering: .sequentiallyConsistent)
        wakeupDescriptor.store(wakeup.descriptor, ordering: .sequentiallyConsistent)

        var saved: [Int32: sigaction] = [:]
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { recordSignal($0) }
            sigemptyset(&action.sa_mask)
            // Restart interrupted slow calls elsewhere; poll still returns, and the wakeup covers
            // the case where the signal lands on a thread other than the polling one.
            action.sa_flags = SA_RESTART
            var old = sigaction()
            guard sigaction(number, &action, &old) == 0 else {
                let error = SocketError.system("sigaction \(number)")
                Self.reinstate(saved)
                wakeupDescriptor.store(-1, ordering: .sequentiallyConsistent)
                trapInstalled.store(false, ordering: .sequentiallyConsistent)
                throw error
            }
            saved[number] = old
        }
        previous = Mutex(saved)
    }

    /// Convenience: a trap with its own wakeup.
    package convenience init(signals: [Int32] = [SIGINT, SIGTERM]) throws(SocketError) {
        try self.init(signals: signals, wakeup: Wakeup())
    }

    deinit { restore() }

    /// The first or latest trapped signal number, nil while none has arrived.
    package var caught: Int32? {
        let number = caughtSignal.load(ordering: .sequentiallyConsistent)
        return number == 0 ? nil : number
    }

    /// Puts back the dispositions found at install time. Idempotent.
    package func restore() {
        let saved = previous.withLock { saved in
            defer { saved = [:] }
            return saved
        }
        guard !saved.isEmpty else { return }
        Self.reinstate(saved)
        // Only after the handlers are gone may the wakeup descriptor be closed and reused.
        wakeupDescriptor.store(-1, ordering: .sequentiallyConsistent)
        trapInstalled.store(false, ordering: .sequentiallyConsistent)
    }

    private static func reinstate(_ saved: [Int32: sigaction]) {
        for (number, old) in saved {
            var action = old
            _ = sigaction(number, &action, nil)
        }
    }
}
