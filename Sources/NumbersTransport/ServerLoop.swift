import NumbersImpairment
import NumbersProtocol

/// The server's shell: one thread, one socket. Each turn it reads every waiting datagram (batches
/// of 64 via recvmmsg) into the engine, lets the engine fill send batches (sendmmsg), then waits
/// (`DeadlineWait`) until the engine's next deadline, a datagram, or a signal.
///
/// Generic over the engine's `SessionStore`, so a store shared between server processes plugs
/// in without changing the loop.
package final class ServerLoop<Store: SessionStore> {
    // Mutated for every datagram, only by `run` on the loop's thread: unchecked, because the
    // dynamic exclusivity check of a class property costs two runtime calls per access.
    @exclusivity(unchecked) package private(set) var engine: ServerEngine<Store>
    private let socket: UDPSocket
    private let sender: ImpairedSender
    private let intake: DatagramIntake
    private let deadlineWait: DeadlineWait
    /// Datagrams the engine may produce per turn before reading again, so ACKs keep flowing
    /// while thousands of sessions send at full speed.
    package static var sendsPerTurn: Int { 512 }
    /// Datagrams that arrived truncated or larger than `Limits.maxDatagramSize`; the engine
    /// counted each of them as badSize too.
    package var oversizeDropped: UInt64 { intake.oversizeDropped }
    /// Where a sharing engine's store requests go, and its answers come from; nil for a server
    /// that keeps its sessions to itself.
    package var storeLink: SharedStoreLink?

    /// Pass the engine without keeping a copy of it (a copy shares its arrays, which the first
    /// change would then copy).
    package init(socket: UDPSocket, engine: consuming ServerEngine<Store>, impairment: ImpairmentConfig) {
        self.socket = socket
        self.deadlineWait = DeadlineWait(interval: engine.config.interval)
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
    package var socketDrops: Int { sender.socketDrops }

    /// After `run`: hands the store link the engine's last requests (the checkpoint of a session
    /// that completed in the last turn, still to be deleted), which it sends before it stops.
    package func stopStoreLink() {
        storeLink?.exchange(&engine, now: SharedClock.now())
        storeLink?.stop()
    }

    /// Runs until `shouldStop` says so (checked every turn; `wakeup` interrupts the wait).
    // Specialized for the store every server without -store uses, so that the engine's own
    // specialized entry points are called: unspecialized, each datagram looked up the engine's
    // generic metadata and went through the store's witness table.
    @_specialize(exported: true, where Store == InMemorySessionStore)
    package func run(wakeup: Wakeup?, shouldStop: () -> Bool, onEvent: (ServerEvent) -> Void) throws(SocketError) {
        while !shouldStop() {
            var now = SharedClock.now()
            try intake.drain(now: now, sender: sender) { bytes, source in engine.handle(bytes, from: source, now: now) }
            // Phase changes happen on ACKs: written beside the datagram lines of the same instant,
            // and taken whether or not a trace is written, so the engine's buffer of them stays empty.
            while let event = engine.pollCongestionEvent() { recorder?.congestion(event) }
            storeLink?.exchange(&engine, now: now)
            now = SharedClock.now()
            sender.releaseDue(now: now)
            var produced = 0
            while produced < ServerLoop.sendsPerTurn
                    && sender.send(now: now, { buffer in engine.poll(now: now, into: buffer).map { ($0.length, $0.destination) } }) {
                produced += 1
            }
            sender.flush()
            while let event = engine.pollEvent() { onEvent(event) }

            if produced == ServerLoop.sendsPerTurn { continue }   // more is due: read, then send again
            let deadline = min(engine.nextDeadline ?? .never, sender.impairment.nextDeadline ?? .never)
            let timeout: Nanoseconds? = deadline == .never ? nil : deadline - SharedClock.now()
            deadlineWait.wait(on: socket, timeout: timeout, wakeup: wakeup)
        }
    }
}
