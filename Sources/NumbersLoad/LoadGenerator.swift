import Glibc
import NumbersProtocol
import NumbersTransport

/// What to generate: `sessions` clients, each asking for `numbersPerSession` numbers, opened at
/// `openRate` per second, multiplexed over `sockets` UDP sockets on one thread.
package struct LoadConfig: Sendable {
    package var server: PeerAddress
    package var sessions: Int
    package var numbersPerSession: UInt32
    package var sockets = 4
    /// New clients started per second (the ramp); the last starts at sessions / openRate.
    package var openRate = 20_000.0
    /// The whole run is abandoned after this long, whatever is left unfinished.
    package var timeLimit = Nanoseconds.seconds(120 as UInt64)
    package var clientGiveUpAfter = Nanoseconds.seconds(30 as UInt64)
    /// The clients' ACK delay; nil keeps `ClientConfig`'s default, as numbers-client uses it.
    package var clientAckDelay: Nanoseconds?
    /// How often `onTick` reports progress.
    package var tickInterval = Nanoseconds.milliseconds(250)
    package var seed: UInt64 = 1

    package init(server: PeerAddress, sessions: Int, numbersPerSession: UInt32) {
        self.server = server; self.sessions = sessions; self.numbersPerSession = numbersPerSession
    }
}

/// A progress sample, taken every `tickInterval`.
package struct LoadSnapshot: Sendable {
    package var elapsed: Nanoseconds
    /// Clients started so far.
    package var opened: Int
    /// Clients whose session exists on the server and is streaming (first DATA received, not over).
    package var streaming: Int
    /// Clients that ended (verified or failed).
    package var over: Int
}

/// How the run ended for every client, plus what the generator itself did.
package struct LoadReport: Sendable {
    package var sessions: Int
    package var passed = 0
    package var failedVerification = 0
    package var rejected = 0
    package var noAnswer = 0
    package var otherFailures = 0
    package var unfinished = 0
    package var elapsed = Nanoseconds.zero
    /// Most clients streaming at once, and when.
    package var peakStreaming = 0
    package var datagramsReceived: UInt64 = 0
    package var datagramsSent: UInt64 = 0
    package var dataReceived: UInt64 = 0
    package var duplicateNumbers: UInt64 = 0
    package var probesSent: UInt64 = 0
    package var acksSent: UInt64 = 0
    /// Datagrams whose tag named no client of this generator.
    package var unroutable: UInt64 = 0
    package var socketSoftErrors = 0
    /// Generator CPU time (user + system) over the run, seconds.
    package var cpuSeconds = 0.0
    /// Every client ended with a verified PASS.
    package var verified: Bool { passed == sessions }
}

/// Many client engines on a few sockets. Every server-to-client datagram carries its client's tag
/// (`WireDecoder.tag(of:)`), so one socket serves thousands of clients: the tag is the client's index + 1.
/// Single-threaded and not Sendable; build and run it on one thread.
package final class LoadGenerator {
    package let config: LoadConfig
    private let sockets: [UDPSocket]
    private let receive = ReceiveBatch(capacity: 64)
    private let sends: [SendBatch]
    // Touched for every datagram: the dynamic exclusivity check of a class property (two runtime
    // calls and a thread-local lookup per access) was a quarter of the generator's instructions.
    // Only `run` and the methods it calls touch them, on one thread.
    /// The clients, in a buffer allocated once: `engines[i].handle(…)` works in place, where an
    /// Array element's computed properties were read through a copy of the whole engine.
    private let engines: UnsafeMutablePointer<ClientEngine>
    @exclusivity(unchecked) private var opened = 0
    /// The deadline of each client's earliest timer entry (`UInt64.max`: none).
    @exclusivity(unchecked) private var scheduled: [UInt64] = []
    @exclusivity(unchecked) private var streamingFlags: [Bool] = []
    @exclusivity(unchecked) private var overFlags: [Bool] = []
    @exclusivity(unchecked) private var timers = MinHeap<LoadTimer>()
    @exclusivity(unchecked) private var random: SplitMix64
    @exclusivity(unchecked) private var streaming = 0
    @exclusivity(unchecked) private var over = 0
    @exclusivity(unchecked) private var unroutable: UInt64 = 0

    package init(config: LoadConfig) throws(SocketError) {
        precondition(config.sessions > 0 && config.sessions < Int(UInt32.max) && config.sockets > 0)
        self.config = config
        let host = config.server.family == .ipv4 ? "127.0.0.1" : "::1"
        var sockets: [UDPSocket] = []
        for _ in 0..<config.sockets {
            sockets.append(try UDPSocket(host: host, port: 0, bufferBytes: 16 << 20))
        }
        self.sockets = sockets
        sends = sockets.map { _ in SendBatch(capacity: 64) }
        random = SplitMix64(seed: config.seed)
        engines = .allocate(capacity: config.sessions)
        scheduled.reserveCapacity(config.sessions)
        streamingFlags.reserveCapacity(config.sessions)
        overFlags.reserveCapacity(config.sessions)
    }

    /// The generator's own ports (to find its sockets' drop counts in /proc/net/udp).
    package var localPorts: [UInt16] { sockets.map(\.localAddress.port) }

    deinit {
        engines.deinitialize(count: opened)
        engines.deallocate()
    }

    /// Runs until every client has ended (and sent its final datagrams) or the time limit passes.
    package func run(onTick: (LoadSnapshot) -> Void) throws(SocketError) -> LoadReport {
        let start = MonotonicClock.now()
        let cpuStart = Self.cpuSeconds()
        let limit = start + config.timeLimit
        var nextTick = start + config.tickInterval
        var report = LoadReport(sessions: config.sessions)
        var pollEntries = sockets.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }

        while true {
            var now = MonotonicClock.now()
            if now >= limit { break }
            openDue(now: now, start: start)

            // Everything waiting on every socket, routed to its client by tag.
            for (s, socket) in sockets.enumerated() {
                var received = 0
                repeat {
                    received = try socket.receive(into: receive)
                    report.datagramsReceived += UInt64(received)
                    for i in 0..<received {
                        let bytes = receive.bytes(at: i)
                        guard receive.isAcceptable(at: i), let tag = WireDecoder.tag(of: bytes) else { unroutable += 1; continue }
                        let index = Int(tag) &- 1
                        guard index >= 0 && index < opened && index % sockets.count == s else { unroutable += 1; continue }
                        engines[index].handle(bytes, from: receive.source(at: i), now: now)
                        reschedule(index)
                    }
                } while received == receive.capacity
            }

            // Every client whose timer is due sends what it owes.
            now = MonotonicClock.now()
            while let top = timers.first, top.deadline <= now.nanoseconds {
                _ = timers.popFirst()
                let index = Int(top.client)
                guard scheduled[index] == top.deadline else { continue }
                scheduled[index] = .max
                let batch = sends[index % sockets.count]
                while true {
                    if batch.isFull { try flush(index % sockets.count) }
                    guard let buffer = batch.nextBuffer, let length = engines[index].poll(now: now, into: buffer) else { break }
                    batch.commit(length: length, to: config.server)
                    report.datagramsSent += 1
                }
                reschedule(index)
            }
            for s in sockets.indices { try flush(s) }

            if now >= nextTick {
                nextTick = now + config.tickInterval
                report.peakStreaming = max(report.peakStreaming, streaming)
                onTick(LoadSnapshot(elapsed: now - start, opened: opened, streaming: streaming, over: over))
            }
            if over == config.sessions && timers.isEmpty { break }

            // Sleep until a datagram, a client's timer, the next opening or the next tick.
            var wake = min(nextTick, limit)
            if let top = timers.first { wake = min(wake, Instant(nanoseconds: top.deadline)) }
            if opened < config.sessions { wake = min(wake, openTime(opened, start: start)) }
            let remaining = wake - MonotonicClock.now()
            if remaining > .zero {
                // The loops' own wait: nanosecond ppoll, restarted after signals, never early.
                _ = pollEntries.withUnsafeMutableBufferPointer { Poller.wait($0, timeout: remaining) }
            }
        }

        report.elapsed = MonotonicClock.now() - start
        report.cpuSeconds = Self.cpuSeconds() - cpuStart
        report.peakStreaming = max(report.peakStreaming, streaming)
        report.unroutable = unroutable
        report.socketSoftErrors = sockets.reduce(0) { $0 + $1.softErrorCount }
        report.unfinished = config.sessions - opened
        for index in 0..<opened {
            let c = engines[index].counters
            report.dataReceived += c.dataReceived
            report.duplicateNumbers += c.duplicateNumbers
            report.probesSent += c.probesSent
            report.acksSent += c.acksSent
            switch engines[index].status {
            case .finished(let result): if result.passed { report.passed += 1 } else { report.failedVerification += 1 }
            case .failed(.rejected): report.rejected += 1
            case .failed(.noAnswer): report.noAnswer += 1
            case .failed: report.otherFailures += 1
            case .connecting, .streaming: report.unfinished += 1
            }
        }
        return report
    }

    private func openTime(_ index: Int, start: Instant) -> Instant {
        start + .seconds(Double(index) / config.openRate)
    }

    /// Starts every client whose turn in the ramp has come.
    private func openDue(now: Instant, start: Instant) {
        while opened < config.sessions && openTime(opened, start: start) <= now {
            let index = opened
            let id = ClientID.random(using: &random)
            var clientConfig = ClientConfig(clientID: id, mode: .start(count: config.numbersPerSession), server: config.server,
                                            tag: UInt32(index + 1))
            clientConfig.window = Limits.minWindow
            clientConfig.giveUpAfter = config.clientGiveUpAfter
            if let delay = config.clientAckDelay { clientConfig.ackDelay = delay }
            (engines + index).initialize(to: ClientEngine(config: clientConfig, now: now, randomSeed: random.next()))
            opened += 1
            scheduled.append(.max)
            streamingFlags.append(false)
            overFlags.append(false)
            reschedule(index)
        }
    }

    /// Keeps a timer entry no later than the client's next deadline, and tracks its state. A later
    /// deadline pushes nothing: the earlier entry fires, finds nothing due, and reschedules then,
    /// so the heap holds about one entry per client instead of one per change.
    private func reschedule(_ index: Int) {
        let state = engines[index].schedulingState()
        if !streamingFlags[index] && state.streaming {
            streamingFlags[index] = true
            streaming += 1
        }
        if !overFlags[index] && state.over {
            overFlags[index] = true
            over += 1
            if streamingFlags[index] { streaming -= 1 }
        }
        guard let deadline = state.deadline else {
            scheduled[index] = .max
            return
        }
        if deadline < scheduled[index] {
            scheduled[index] = deadline
            timers.push(LoadTimer(deadline: deadline, client: UInt32(index)))
        }
    }

    private func flush(_ s: Int) throws(SocketError) {
        guard !sends[s].isEmpty else { return }
        try sockets[s].send(sends[s])
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

extension ClientEngine {
    /// What the generator needs after every event, read in place: a `mutating` call works on the
    /// stored engine, where reading its properties from outside copied the whole struct first.
    fileprivate mutating func schedulingState() -> (streaming: Bool, over: Bool, deadline: UInt64?) {
        var streaming = false
        if case .streaming = status { streaming = true }
        return (streaming, status.isOver, nextDeadline?.nanoseconds)
    }
}

/// A client's timer in the generator's `MinHeap`, with lazy deletion: an entry whose deadline is
/// not its client's `scheduled` value is stale and skipped when popped. Nanoseconds rather than
/// `Instant` and no tie-breaking counter keep the entry at 16 bytes: the order among clients due
/// at the same nanosecond does not matter here (the generator is not a deterministic simulation).
struct LoadTimer: HeapOrdered {
    var deadline: UInt64
    var client: UInt32

    @inline(__always)
    func precedes(_ other: LoadTimer) -> Bool { deadline < other.deadline }
}
