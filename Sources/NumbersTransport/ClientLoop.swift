import NumbersImpairment
import NumbersProtocol

/// The client's shell: runs one client engine over one socket until the transfer finishes or
/// fails, or `shouldStop` says so.
package final class ClientLoop {
    // Mutated for every datagram, only by `run` on the loop's thread: unchecked, because the
    // dynamic exclusivity check of a class property costs two runtime calls per access.
    @exclusivity(unchecked) package private(set) var engine: ClientEngine
    private let socket: UDPSocket
    private let sender: ImpairedSender
    private let intake: DatagramIntake
    /// Datagrams that arrived truncated or larger than `Limits.maxDatagramSize`; the engine
    /// counted each of them as badSize too.
    package var oversizeDropped: UInt64 { intake.oversizeDropped }

    /// Pass the engine without keeping a copy of it: a copy shares the receive window's arrays,
    /// and the loop's first DATA would then copy them all (megabytes for a large n).
    package init(socket: UDPSocket, engine: consuming ClientEngine, impairment: ImpairmentConfig) {
        self.socket = socket
        self.engine = engine
        self.sender = ImpairedSender(socket: socket, impairment: Impairment(impairment))
        self.intake = DatagramIntake(socket: socket)
    }

    package var impairmentCounters: ImpairmentCounters { sender.impairment.counters }

    /// -trace and -pcap: every datagram this loop sends and receives, and what its simulator did.
    package var recorder: DatagramRecorder? {
        didSet {
            sender.recorder = recorder
            intake.recorder = recorder
            recorder?.invalidCount = { [unowned self] in self.engine.counters.invalidDropped }
        }
    }

    package func run(wakeup: Wakeup?, shouldStop: () -> Bool) throws(SocketError) {
        let server = engine.config.server
        while !shouldStop() {
            var now = MonotonicClock.now()
            try intake.drain(now: now, sender: sender) { bytes, source in engine.handle(bytes, from: source, now: now) }
            now = MonotonicClock.now()
            sender.releaseDue(now: now)
            while sender.send(now: now, { buffer in engine.poll(now: now, into: buffer).map { ($0, server) } }) {}
            sender.flush()

            let engineDeadline = engine.nextDeadline
            if engine.status.isOver && engineDeadline == nil {
                // Let delayed or reordered copies of the final datagrams leave before exiting.
                guard let held = sender.impairment.nextDeadline else { return }
                let wait = held - MonotonicClock.now()
                if wait > .zero { _ = socket.wait(timeout: wait, wakeup: wakeup) }
                continue
            }
            let deadline = min(engineDeadline ?? .never, sender.impairment.nextDeadline ?? .never)
            let timeout: Nanoseconds? = deadline == .never ? nil : deadline - MonotonicClock.now()
            _ = socket.wait(timeout: timeout, wakeup: wakeup)
        }
    }
}
