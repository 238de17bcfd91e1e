import NumbersImpairment
import NumbersInvariants
import NumbersProtocol

/// Runs a server engine and client engines over the impairment model with a virtual clock.
/// Everything is drawn from the scenario's seed, so a run is replayed exactly by its seed.
///
/// While running, an `InvariantChecker` sees every datagram to and from the server and every
/// session that ends (see it for what it checks). At the end: a client that reports PASS holds
/// exactly the sequence of a seed the server drew for its ID; every session is gone once its
/// client completed or fell silent for the TTL.
package struct Simulation {
    package let scenario: Scenario
    private(set) var now: Instant = .zero
    private var server: ServerEngine<InMemorySessionStore>
    private var serverImpairment: Impairment
    private var clients: [SimulatedClient?]
    private var clientIDs: [ClientID]
    private var started: [Bool]
    private var restarted: [Bool]
    /// Whether the session still existed when the client's process restarted: if not (the first
    /// process died before the server created it), a refusal is the right answer.
    private var sessionAtRestart: [Bool]
    private var wire: [WireDatagram] = []
    private var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
    private var rng: SplitMix64

    private var seedsDrawn: [ClientID: [UInt64]] = [:]
    private var checker: InvariantChecker
    private var completedIDs: Set<ClientID> = []
    /// Sessions that expired after a full TTL of real silence from their client.
    private var expiredIDs: Set<ClientID> = []
    private var finishedAt: [Instant?]
    /// Each names the seed and the virtual time.
    package var violations: [String] { checker.violations.map(\.description) }

    package static let serverAddress = PeerAddress(ipv4: (10, 0, 0, 1), port: 9000)

    package init(_ scenario: Scenario) {
        self.scenario = scenario
        rng = SplitMix64(seed: scenario.seed)
        let serverKey = SipHashKey(k0: scenario.seed, k1: ~scenario.seed)
        server = ServerEngine(config: scenario.server, store: InMemorySessionStore(), key: serverKey, seedSource: rng.next())
        serverImpairment = Impairment(scenario.serverImpairment)
        checker = InvariantChecker(config: scenario.server, key: serverKey, seed: scenario.seed)
        clients = Array(repeating: nil, count: scenario.clients.count)
        clientIDs = scenario.clients.map { _ in ClientID(high: 0, low: 0) }
        started = Array(repeating: false, count: scenario.clients.count)
        restarted = Array(repeating: false, count: scenario.clients.count)
        sessionAtRestart = Array(repeating: true, count: scenario.clients.count)
        finishedAt = Array(repeating: nil, count: scenario.clients.count)
        for i in clientIDs.indices { clientIDs[i] = ClientID.random(using: &rng) }
    }

    private func clientAddress(_ index: Int, generation: Int) -> PeerAddress {
        if scenario.clientsShareHost { return PeerAddress(ipv4: (10, 0, 1, 1), port: UInt16(40_000 + 2 * index + generation)) }
        return PeerAddress(ipv4: (10, 0, 1, UInt8(index + 1)), port: UInt16(40_000 + generation))
    }

    private mutating func makeClient(_ index: Int, generation: Int, resume: Bool, address: PeerAddress) -> SimulatedClient {
        let plan = scenario.clients[index]
        let mode: ClientConfig.Mode = resume ? .resume(expected: plan.count) : .start(count: plan.count)
        var config = ClientConfig(clientID: clientIDs[index], mode: mode, server: Simulation.serverAddress,
                                  tag: UInt32(truncatingIfNeeded: rng.next()))
        config.giveUpAfter = scenario.clientGiveUpAfter
        var impairmentConfig = plan.impairment
        impairmentConfig.seed &+= UInt64(generation)
        return SimulatedClient(engine: ClientEngine(config: config, now: now, randomSeed: rng.next()),
                               impairment: Impairment(impairmentConfig), address: address, generation: generation)
    }

    // MARK: Running

    package mutating func run() -> SimulationOutcome {
        while true {
            lifecycle()
            step()
            if !wire.isEmpty { deliver(); continue }
            let next = nextInstant()
            if next == .never || next > scenario.limit { break }
            if next > now { now = next }
            releaseHeld()
            deliver()
        }
        finalChecks()
        return SimulationOutcome(statuses: clients.map { $0?.engine.status ?? .connecting },
                                 finishedAt: finishedAt, violations: violations, serverCounters: server.counters,
                                 clientCounters: clients.map { $0?.engine.counters ?? ClientCounters() },
                                 sessionsLeft: server.sessionCount, endedAt: now, serverImpairment: serverImpairment.counters)
    }

    /// Starts, kills and restarts client processes as the scenario says.
    private mutating func lifecycle() {
        for i in clients.indices {
            let plan = scenario.clients[i]
            if !started[i] && now >= plan.startAt {
                started[i] = true
                clients[i] = makeClient(i, generation: 0, resume: false, address: clientAddress(i, generation: 0))
            }
            if let dies = plan.diesAt, now >= dies, let c = clients[i], c.alive, c.generation == 0, !c.engine.status.isOver {
                clients[i]!.alive = false
            }
            if let back = plan.restartsAt, now >= back, !restarted[i], let c = clients[i], !c.alive {
                restarted[i] = true
                sessionAtRestart[i] = server.store.session(clientIDs[i]) != nil
                let address = plan.restartMovesAddress ? clientAddress(i, generation: 1) : c.address
                clients[i] = makeClient(i, generation: 1, resume: true, address: address)
            }
        }
    }

    /// Lets every engine send what is due; each send passes through its sender's impairment.
    /// Passes one datagram through a sender's impairment onto the wire.
    private static func offer(_ bytes: ArraySlice<UInt8>, from: PeerAddress, to: PeerAddress, through impairment: inout Impairment,
                              now: Instant, onto wire: inout [WireDatagram]) {
        var emitted: [WireDatagram] = []
        bytes.withUnsafeBytes { raw in
            impairment.offer(raw, to: to, now: now) { out, destination in
                emitted.append(WireDatagram(bytes: Array(out), from: from, to: destination))
            }
        }
        wire += emitted
    }

    private static func release(from: PeerAddress, through impairment: inout Impairment, now: Instant, onto wire: inout [WireDatagram]) {
        var emitted: [WireDatagram] = []
        impairment.releaseDue(now: now) { out, destination in
            emitted.append(WireDatagram(bytes: Array(out), from: from, to: destination))
        }
        wire += emitted
    }

    private mutating func step() {
        for i in clients.indices {
            guard var c = clients[i], c.alive else { continue }
            // Moved out and back rather than copied, for the reason given in `deliver`.
            clients[i] = nil
            while let length = buffer.withUnsafeMutableBytes({ c.engine.poll(now: now, into: $0) }) {
                Simulation.offer(buffer[0..<length], from: c.address, to: Simulation.serverAddress, through: &c.impairment, now: now, onto: &wire)
            }
            if finishedAt[i] == nil && c.engine.status.isOver { finishedAt[i] = now }
            clients[i] = c
        }
        var budget = 10_000
        while budget > 0, let t = buffer.withUnsafeMutableBytes({ server.poll(now: now, into: $0) }) {
            budget -= 1
            let sessions = server.store.allSessions
            buffer.withUnsafeBytes { checker.serverSends(UnsafeRawBufferPointer(rebasing: $0[0..<t.length]), to: t.destination, now: now, sessions: sessions) }
            Simulation.offer(buffer[0..<t.length], from: Simulation.serverAddress, to: t.destination, through: &serverImpairment, now: now, onto: &wire)
        }
        while let event = server.pollEvent() { observe(event) }
        checker.sessionsHold(server.store.allSessions, now: now)
    }

    private mutating func releaseHeld() {
        Simulation.release(from: Simulation.serverAddress, through: &serverImpairment, now: now, onto: &wire)
        for i in clients.indices {
            guard clients[i]?.alive == true else { continue }
            Simulation.release(from: clients[i]!.address, through: &clients[i]!.impairment, now: now, onto: &wire)
        }
    }

    private mutating func deliver() {
        let batch = wire
        wire.removeAll(keepingCapacity: true)
        for d in batch {
            if d.to == Simulation.serverAddress {
                if serverImpairment.isOffline(at: now) { serverImpairment.noteInboundIgnored(); continue }
                let store = server.store
                d.bytes.withUnsafeBytes { checker.serverReceives($0, from: d.from, now: now, session: store.session) }
                d.bytes.withUnsafeBytes { server.handle($0, from: d.from, now: now) }
                while let event = server.pollEvent() { observe(event) }
            } else if let i = clients.firstIndex(where: { $0?.address == d.to && $0?.alive == true }) {
                // In place: a copy of the client would share its receive window's storage, and
                // the engine's first write would then copy the whole window for every datagram.
                if clients[i]!.impairment.isOffline(at: now) { clients[i]!.impairment.noteInboundIgnored(); continue }
                d.bytes.withUnsafeBytes { clients[i]!.engine.handle($0, from: d.from, now: now) }
                if finishedAt[i] == nil && clients[i]!.engine.status.isOver { finishedAt[i] = now }
            }
        }
    }

    private func nextInstant() -> Instant {
        var next = Instant.never
        if let d = server.nextDeadline { next = min(next, max(d, now)) }
        if let d = serverImpairment.nextDeadline { next = min(next, d) }
        for (i, c) in clients.enumerated() {
            let plan = scenario.clients[i]
            if !started[i] { next = min(next, plan.startAt) }
            guard let c else { continue }
            if c.alive {
                if let d = c.engine.nextDeadline { next = min(next, max(d, now)) }
                if let d = c.impairment.nextDeadline { next = min(next, d) }
                if let dies = plan.diesAt, c.generation == 0, !c.engine.status.isOver { next = min(next, dies) }
            } else if let back = plan.restartsAt, !restarted[i] {
                next = min(next, back)
            }
        }
        return next
    }

    // MARK: Invariants

    private mutating func violation(_ text: String, _ kind: InvariantViolation.Kind = .badState) {
        checker.record(kind, at: now, text)
    }

    private mutating func observe(_ event: ServerEvent) {
        switch event {
        case .created(let id, _, _):
            if let seed = server.store.session(id)?.seed { seedsDrawn[id, default: []].append(seed) }
        case .resumed, .adopted, .moved, .refused:
            break
        case .ended(let id, _, _, let reason, _):
            switch reason {
            case .completed:
                completedIDs.insert(id)
            case .expired:
                expiredIDs.insert(id)
            }
            checker.sessionEnded(id, reason: reason, now: now)
        }
    }

    private mutating func finalChecks() {
        for (i, c) in clients.enumerated() {
            guard let c else { continue }
            let id = clientIDs[i]
            if case .finished(let result) = c.engine.status, result.passed {
                let truths = (seedsDrawn[id] ?? []).map { SequenceChecksum.of(SequenceGenerator(seed: $0), count: result.total) }
                if !truths.contains(where: { $0.crcValue == result.computedCRC && $0.sum == result.sum && $0.count == result.total }) {
                    violation("client \(i) reported PASS without holding the server's sequence", .wrongNumbers)
                }
                if result.total != scenario.clients[i].count { violation("client \(i) finished with n=\(result.total), asked \(scenario.clients[i].count)") }
            }
            if case .finished(let result) = c.engine.status, !result.passed {
                violation("client \(i) reported FAIL: the protocol delivered a wrong sequence", .wrongNumbers)
            }
            if scenario.mustPass(client: i) && sessionAtRestart[i] {
                // A refusal after the session really expired (a full TTL of silence, checked
                // above) is the protocol working: heavy loss can starve a session that long. So is
                // giving up then, if every refusal was lost too.
                var refusedAfterExpiry = false
                if expiredIDs.contains(id), case .failed(let failure) = c.engine.status {
                    switch failure {
                    case .rejected(.unknownSession), .noAnswer: refusedAfterExpiry = true
                    default: break
                    }
                }
                if case .finished(let r) = c.engine.status, r.passed {} else if !refusedAfterExpiry {
                    violation("client \(i) should have passed but ended \(c.engine.status) at \(c.engine.cumulative)/\(scenario.clients[i].count)")
                }
            }
        }
        if now <= scenario.limit && server.sessionCount != 0 {
            violation("\(server.sessionCount) sessions left when the run ended")
        }
    }
}
