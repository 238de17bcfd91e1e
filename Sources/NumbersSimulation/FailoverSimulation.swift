import NumbersImpairment
import NumbersProtocol

/// Server processes that share their sessions through one checkpoint store (PROTOCOL.md §10),
/// over the impairment model with a virtual clock: a server replaced mid-run (its memory, timers
/// and held datagrams lost; a new engine over the same store), or two servers behind one address
/// with clients moving between them. The store answers after a delay of its own. Everything is
/// drawn from the seed.
///
/// It checks: every client PASSes, holding exactly the sequence of the one seed the store agreed
/// on for its ID (exactly one creation per ID); once the clients are done, nothing is left in any
/// server, nor in the store, but the checkpoints of sessions whose server died holding them.
package struct FailoverScenario: Sendable, CustomStringConvertible {
    package enum Event: Sendable, Equatable {
        /// Server 0 dies and a new process takes its place over the same store.
        case restart(at: Instant)
        /// From this instant the listed clients' datagrams reach the other server.
        case move(at: Instant, clients: [Int])
        /// The store loses everything (a Redis restarted without persistence).
        case wipe(at: Instant)

        var at: Instant {
            switch self {
            case .restart(let t), .move(let t, _), .wipe(let t): return t
            }
        }
    }

    package var seed: UInt64
    package var server: ServerConfig
    package var serverImpairment: ImpairmentConfig
    package var clients: [(count: UInt32, startAt: Instant, impairment: ImpairmentConfig)]
    package var events: [Event]
    package var storeDelay: Nanoseconds
    package var limit: Instant

    package static func random(seed: UInt64) -> FailoverScenario {
        var rng = SplitMix64(seed: seed)
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * rng.nextUnitDouble() }
        func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        func instant(_ lo: Double, _ hi: Double) -> Instant { Instant(nanoseconds: UInt64(uniform(lo, hi) * 1e9)) }

        var server = ServerConfig()
        server.interval = pick([.zero, .milliseconds(1), .milliseconds(5)])
        server.batch = pick([1, 8, 50])
        server.window = max(UInt32(server.batch), pick([Limits.minWindow, 1_024, 4_096]))
        server.sessionTTL = .seconds(10 as UInt64)
        server.maxSessions = 16
        func impairment() -> ImpairmentConfig {
            var c = ImpairmentConfig(seed: rng.next())
            c.dropRate = pick([0.0, 0.05, 0.1, 0.2, 0.3])
            c.delay = .microseconds(UInt64(uniform(100, 20_000)))
            if rng.nextUnitDouble() < 0.3 { c.reorderRate = uniform(0, 0.1) }
            if rng.nextUnitDouble() < 0.3 { c.duplicateRate = uniform(0, 0.1) }
            return c
        }
        let clients = (0..<pick([1, 2, 3, 4])).map { _ in
            (count: pick([1, 294, UInt32(uniform(1, 4_000)), UInt32(uniform(1, 4_000))]), startAt: instant(0, 0.5), impairment: impairment())
        }
        var events: [Event] = []
        switch rng.next() % 3 {
        case 0:
            for _ in 0..<pick([1, 2]) { events.append(.restart(at: instant(0.01, 2))) }
        case 1:
            for _ in 0..<pick([1, 2, 3]) {
                events.append(.move(at: instant(0.01, 2), clients: clients.indices.filter { _ in rng.nextUnitDouble() < 0.7 }))
            }
        default:
            // Clients move only once every live session has been checkpointed again: a move
            // sooner after the wipe loses the session, as PROTOCOL.md §10.5 says it may.
            let wipe = instant(0.01, 2)
            events.append(.wipe(at: wipe))
            events.append(.move(at: wipe + .seconds(3 as UInt64), clients: Array(clients.indices)))
        }
        events.sort { $0.at < $1.at }
        return FailoverScenario(seed: seed, server: server, serverImpairment: impairment(), clients: clients, events: events,
                                storeDelay: .microseconds(UInt64(uniform(50, 5_000))), limit: .zero + .seconds(600 as UInt64))
    }

    package var description: String {
        var lines = ["failover seed \(seed): server interval \(server.interval) batch \(server.batch) window \(server.window); store delay \(storeDelay); server impairment \(serverImpairment)"]
        for (i, c) in clients.enumerated() { lines.append("  client \(i): n=\(c.count) starts at \(c.startAt); impairment \(c.impairment)") }
        for e in events { lines.append("  \(e)") }
        return lines.joined(separator: "\n")
    }
}

package struct FailoverSimulation {
    package let scenario: FailoverScenario
    private var now: Instant = .zero
    private var servers: [ServerEngine<InMemorySessionStore>]
    /// Bumped when a server is replaced: answers and datagrams meant for the dead one are lost.
    private var generations: [Int]
    private var serverImpairments: [Impairment]
    private var store: InMemoryCheckpointStore
    private var clients: [SimulatedClient?]
    private var clientIDs: [ClientID]
    private var routes: [Int]
    private var nextEvent = 0
    private var wire: [(datagram: WireDatagram, server: Int?, generation: Int)] = []
    private var answers: [(at: Instant, server: Int, generation: Int, answer: StoreAnswer)] = []
    private var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
    private var rng: SplitMix64
    private var seedsAgreed: [ClientID: [UInt64]] = [:]
    /// Sessions a server held when it died: their checkpoints may outlive them until they expire.
    private var diedHolding: Set<ClientID> = []
    package private(set) var violations: [String] = []

    static let serverAddress = PeerAddress(ipv4: (10, 0, 0, 1), port: 9000)
    static let period = SessionSharing.defaultCheckpointPeriod

    package init(_ scenario: FailoverScenario) {
        self.scenario = scenario
        rng = SplitMix64(seed: scenario.seed)
        store = InMemoryCheckpointStore(sessionTTL: scenario.server.sessionTTL, checkpointPeriod: Self.period)
        servers = []
        generations = [0, 0]
        serverImpairments = []
        clients = Array(repeating: nil, count: scenario.clients.count)
        clientIDs = scenario.clients.map { _ in ClientID(high: 0, low: 0) }
        routes = Array(repeating: 0, count: scenario.clients.count)
        for i in clientIDs.indices { clientIDs[i] = ClientID.random(using: &rng) }
        for i in 0..<2 {
            servers.append(makeServer())
            var impairment = scenario.serverImpairment
            impairment.seed &+= UInt64(i)
            serverImpairments.append(Impairment(impairment))
        }
    }

    private mutating func makeServer() -> ServerEngine<InMemorySessionStore> {
        // One secret for all, as servers sharing a store share it.
        var engine = ServerEngine(config: scenario.server, store: InMemorySessionStore(),
                                  key: SipHashKey(k0: scenario.seed, k1: ~scenario.seed), seedSource: rng.next())
        engine.shareSessions(checkpointPeriod: Self.period)
        return engine
    }

    package mutating func run() -> (statuses: [ClientStatus], violations: [String]) {
        while true {
            applyEvents()
            startClients()
            step()
            if !wire.isEmpty { deliver(); continue }
            let next = nextInstant()
            if next == .never || next > scenario.limit { break }
            if next > now { now = next }
            release()
            answer()
            deliver()
        }
        finalChecks()
        return (clients.map { $0?.engine.status ?? .connecting }, violations)
    }

    private mutating func violation(_ text: String) {
        if violations.count < 20 { violations.append("t=\(now): \(text)") }
    }

    private mutating func applyEvents() {
        while nextEvent < scenario.events.count, scenario.events[nextEvent].at <= now {
            switch scenario.events[nextEvent] {
            case .restart:
                for s in servers[0].store.allSessions { diedHolding.insert(s.clientID) }
                servers[0] = makeServer()
                generations[0] += 1
                var impairment = scenario.serverImpairment
                impairment.seed &+= UInt64(100 + generations[0])
                serverImpairments[0] = Impairment(impairment)
            case .move(_, let moved):
                for i in moved { routes[i] = 1 - routes[i] }
            case .wipe:
                store.wipe()
            }
            nextEvent += 1
        }
    }

    private mutating func startClients() {
        for i in clients.indices where clients[i] == nil && now >= scenario.clients[i].startAt {
            let plan = scenario.clients[i]
            var config = ClientConfig(clientID: clientIDs[i], mode: .start(count: plan.count), server: Self.serverAddress,
                                      tag: UInt32(truncatingIfNeeded: rng.next()))
            config.giveUpAfter = .seconds(60 as UInt64)
            clients[i] = SimulatedClient(engine: ClientEngine(config: config, now: now, randomSeed: rng.next()),
                                         impairment: Impairment(plan.impairment),
                                         address: PeerAddress(ipv4: (10, 0, 1, UInt8(i + 1)), port: 40_000))
        }
    }

    private mutating func step() {
        for i in clients.indices {
            guard var c = clients[i] else { continue }
            clients[i] = nil
            let route = routes[i]
            var emitted: [WireDatagram] = []
            while let length = buffer.withUnsafeMutableBytes({ c.engine.poll(now: now, into: $0) }) {
                buffer[0..<length].withUnsafeBytes { raw in
                    c.impairment.offer(raw, to: Self.serverAddress, now: now) { out, _ in
                        emitted.append(WireDatagram(bytes: Array(out), from: c.address, to: Self.serverAddress))
                    }
                }
            }
            for d in emitted { wire.append((d, route, generations[route])) }
            clients[i] = c
        }
        for s in servers.indices {
            var emitted: [WireDatagram] = []
            var budget = 10_000
            while budget > 0, let t = buffer.withUnsafeMutableBytes({ servers[s].poll(now: now, into: $0) }) {
                budget -= 1
                buffer[0..<t.length].withUnsafeBytes { raw in
                    serverImpairments[s].offer(raw, to: t.destination, now: now) { out, destination in
                        emitted.append(WireDatagram(bytes: Array(out), from: Self.serverAddress, to: destination))
                    }
                }
            }
            for d in emitted { wire.append((d, nil, 0)) }
            while let request = servers[s].pollStoreRequest() {
                if case .create(let proposal) = request, store.checkpoints[proposal.clientID] == nil
                    || now >= store.expiry(of: store.checkpoints[proposal.clientID]!) {
                    seedsAgreed[proposal.clientID, default: []].append(proposal.seed)
                }
                if let reply = store.carry(request, now: now) {
                    answers.append((now + scenario.storeDelay, s, generations[s], reply))
                }
            }
            while servers[s].pollEvent() != nil {}
        }
    }

    private mutating func release() {
        for s in servers.indices {
            var emitted: [WireDatagram] = []
            serverImpairments[s].releaseDue(now: now) { out, destination in
                emitted.append(WireDatagram(bytes: Array(out), from: Self.serverAddress, to: destination))
            }
            for d in emitted { wire.append((d, nil, 0)) }
        }
        for i in clients.indices {
            guard clients[i] != nil else { continue }
            let route = routes[i]
            let address = clients[i]!.address
            var emitted: [WireDatagram] = []
            clients[i]!.impairment.releaseDue(now: now) { out, destination in
                emitted.append(WireDatagram(bytes: Array(out), from: address, to: destination))
            }
            for d in emitted { wire.append((d, route, generations[route])) }
        }
    }

    private mutating func answer() {
        let due = answers.filter { $0.at <= now }
        answers.removeAll { $0.at <= now }
        for a in due where a.generation == generations[a.server] { servers[a.server].storeAnswered(a.answer, now: now) }
    }

    private mutating func deliver() {
        let batch = wire
        wire.removeAll(keepingCapacity: true)
        for (d, server, generation) in batch {
            if let server {
                // Datagrams in flight to a process that died are lost with it.
                guard generation == generations[server] else { continue }
                d.bytes.withUnsafeBytes { servers[server].handle($0, from: d.from, now: now) }
            } else if let i = clients.firstIndex(where: { $0?.address == d.to }) {
                d.bytes.withUnsafeBytes { clients[i]!.engine.handle($0, from: d.from, now: now) }
            }
        }
    }

    private func nextInstant() -> Instant {
        var next = Instant.never
        if nextEvent < scenario.events.count { next = scenario.events[nextEvent].at }
        for s in servers.indices {
            if let d = servers[s].nextDeadline { next = min(next, max(d, now)) }
            if let d = serverImpairments[s].nextDeadline { next = min(next, d) }
        }
        for a in answers { next = min(next, a.at) }
        for (i, c) in clients.enumerated() {
            guard let c else { next = min(next, scenario.clients[i].startAt); continue }
            if let d = c.engine.nextDeadline { next = min(next, max(d, now)) }
            if let d = c.impairment.nextDeadline { next = min(next, d) }
        }
        return next
    }

    private mutating func finalChecks() {
        for (i, c) in clients.enumerated() {
            let id = clientIDs[i]
            let seeds = seedsAgreed[id] ?? []
            guard let c, case .finished(let result) = c.engine.status, result.passed else {
                violation("client \(i) did not PASS: \(clients[i]?.engine.status as Any) at \(clients[i]?.engine.cumulative ?? 0)/\(scenario.clients[i].count)")
                continue
            }
            // A wiped store can be written again by a creation that was still waiting for it.
            let wiped = scenario.events.contains { if case .wipe = $0 { return true }; return false }
            if seeds.count != 1 && !wiped { violation("client \(i): \(seeds.count) seeds stored for one client ID") }
            let truths = seeds.map { SequenceChecksum.of(SequenceGenerator(seed: $0), count: result.total) }
            if !truths.contains(where: { $0.crcValue == result.computedCRC && $0.sum == result.sum }) {
                violation("client \(i) PASSed without holding the sequence of the seed the store agreed on")
            }
        }
        if now <= scenario.limit {
            let left = servers.map(\.sessionCount).reduce(0, +)
            if left != 0 { violation("\(left) sessions left in the servers at the end") }
            // A checkpoint outlives its session by at most one period (its expiry counts from a
            // lastHeard that may lag by that much).
            let stored = store.checkpoints.values.filter { now + Self.period < store.expiry(of: $0) && !diedHolding.contains($0.clientID) }
            for c in stored {
                violation("checkpoint left in the store at the end: client \(clientIDs.firstIndex(of: c.clientID) ?? -1), acknowledged \(c.acknowledged)/\(c.total), sent \(c.sentThrough), last heard \(c.lastHeard)")
            }
        }
        if !violations.isEmpty {
            for s in servers.indices { violations.append("server \(s): \(servers[s].sharingCounters!) \(servers[s].counters)") }
        }
    }
}

