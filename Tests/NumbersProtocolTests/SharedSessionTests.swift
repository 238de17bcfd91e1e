import Testing
@testable import NumbersProtocol

/// Server engines sharing one checkpoint store, one client, a lossless network with a fixed
/// delay, and a store that answers after its own delay: the restart and failover cases of
/// PROTOCOL.md §10 driven directly.
struct FailoverNetwork {
    var servers: [ServerEngine<InMemorySessionStore>?]
    var store: InMemoryCheckpointStore
    var client: ClientEngine
    /// Which server the client's datagrams reach.
    var route = 0
    /// A second server that also gets every client datagram, to race the first.
    var mirror: Int?
    var storeReachable = true
    let delay = Nanoseconds.milliseconds(5)
    let storeDelay = Nanoseconds.milliseconds(1)
    var now = Instant(nanoseconds: 1_700_000_000_000_000_000)
    var inFlight: [(at: Instant, server: Int?, bytes: [UInt8])] = []
    var answers: [(at: Instant, server: Int, answer: StoreAnswer)] = []
    let clientAddress = PeerAddress(ipv4: (10, 0, 0, 2), port: 5000)
    let serverAddress = PeerAddress(ipv4: (10, 0, 0, 1), port: 9000)
    var buffer = [UInt8](repeating: 0, count: 1500)
    static let period = Nanoseconds.seconds(2 as UInt64)

    init(n: UInt32, servers count: Int, config: ServerConfig, clientID: ClientID = ClientID(high: 1, low: 2)) {
        servers = (0..<count).map { Self.makeServer(config, seed: UInt64($0) + 100) }
        store = InMemoryCheckpointStore(sessionTTL: config.sessionTTL, checkpointPeriod: Self.period)
        let c = ClientConfig(clientID: clientID, mode: .start(count: n), server: serverAddress, tag: 7)
        client = ClientEngine(config: c, now: now, randomSeed: 9)
    }

    static func makeServer(_ config: ServerConfig, seed: UInt64) -> ServerEngine<InMemorySessionStore> {
        var engine = ServerEngine(config: config, store: InMemorySessionStore(), key: SipHashKey(k0: 1, k1: 2), seedSource: seed)
        engine.shareSessions(checkpointPeriod: period)
        return engine
    }

    /// Runs until the client is over, `limit`, or `until` says stop.
    mutating func run(limit: Instant, until: (inout FailoverNetwork) -> Bool = { _ in false }) {
        // Once the client is over, only what is in flight (its last ACKs, the store's work) goes on.
        while !client.status.isOver || !inFlight.isEmpty || !answers.isEmpty || client.nextDeadline != nil
                || servers.contains(where: { ($0?.sharing?.queuedRequests ?? 0) > 0 }) {
            if until(&self) { return }
            while let len = buffer.withUnsafeMutableBytes({ client.poll(now: now, into: $0) }) {
                inFlight.append((now + delay, route, Array(buffer[0..<len])))
                if let mirror { inFlight.append((now + delay, mirror, Array(buffer[0..<len]))) }
            }
            for i in servers.indices where servers[i] != nil {
                while let t = buffer.withUnsafeMutableBytes({ servers[i]!.poll(now: now, into: $0) }) {
                    inFlight.append((now + delay, nil, Array(buffer[0..<t.length])))
                }
                while let request = servers[i]!.pollStoreRequest() {
                    if !storeReachable {
                        if case .create = request { answers.append((now + storeDelay, i, .unavailable(request.clientID))) }
                        if case .lookup = request { answers.append((now + storeDelay, i, .unavailable(request.clientID))) }
                        continue
                    }
                    if let answer = store.carry(request, now: now) { answers.append((now + storeDelay, i, answer)) }
                }
            }
            var next = client.nextDeadline ?? .never
            if !client.status.isOver { for s in servers { next = min(next, s?.nextDeadline ?? .never) } }
            for f in inFlight { next = min(next, f.at) }
            for a in answers { next = min(next, a.at) }
            if next == .never || next > limit { return }
            now = max(now, next)
            let dueAnswers = answers.filter { $0.at <= now }
            answers.removeAll { $0.at <= now }
            for a in dueAnswers where servers[a.server] != nil { servers[a.server]!.storeAnswered(a.answer, now: now) }
            let due = inFlight.filter { $0.at <= now }
            inFlight.removeAll { $0.at <= now }
            for d in due {
                d.bytes.withUnsafeBytes { raw in
                    if let target = d.server {
                        servers[target]?.handle(raw, from: clientAddress, now: now)
                    } else {
                        client.handle(raw, from: serverAddress, now: now)
                    }
                }
            }
        }
    }

    var passed: Bool {
        if case .finished(let result) = client.status { return result.passed }
        return false
    }

    func events(_ i: Int) -> [ServerEvent] {
        var engine = servers[i]!
        var out: [ServerEvent] = []
        while let e = engine.pollEvent() { out.append(e) }
        return out
    }
}

private func pacedConfig() -> ServerConfig {
    var config = ServerConfig()
    config.interval = .milliseconds(10)
    config.batch = 5
    config.sessionTTL = .seconds(5 as UInt64)
    return config
}

@Suite("Sessions shared through a checkpoint store")
struct SharedSessionTests {
    @Test("a server replaced mid-transfer over the same store: the client PASSes on the original seed")
    func engineReplaced() {
        let config = pacedConfig()
        var net = FailoverNetwork(n: 2_000, servers: 1, config: config)
        net.run(limit: net.now + .seconds(60 as UInt64)) { net in
            (net.client.cumulative) >= 700
        }
        let seed = net.store.checkpoints.values.first?.seed
        #expect(seed != nil)
        // The process dies: its memory, its timers and its datagrams in flight are gone.
        net.servers[0] = FailoverNetwork.makeServer(config, seed: 555)
        net.inFlight.removeAll { $0.server == nil }
        net.run(limit: net.now + .seconds(60 as UInt64))
        #expect(net.passed, "\(net.client.status)")
        #expect(net.servers[0]!.sharingCounters?.adopted == 1)
        #expect(net.events(0).contains { if case .adopted = $0 { return true }; return false })
        #expect(net.store.checkpoints.isEmpty, "completion deletes the checkpoint \(net.servers[0]!.sharingCounters!) \(net.servers[0]!.counters)")
        _ = seed
    }

    @Test("two servers, the client moving from one to the other and back")
    func clientMoves() {
        var net = FailoverNetwork(n: 3_000, servers: 2, config: pacedConfig())
        net.run(limit: net.now + .seconds(60 as UInt64)) { $0.client.cumulative >= 1_000 }
        net.route = 1
        net.run(limit: net.now + .seconds(60 as UInt64)) { $0.client.cumulative >= 2_000 }
        net.route = 0
        net.run(limit: net.now + .seconds(60 as UInt64))
        #expect(net.passed, "\(net.client.status)")
        #expect(net.servers[1]!.sharingCounters?.adopted == 1)
        #expect(net.servers[0]!.sharingCounters?.created == 1)
        // Coming back, the first server still held the session: nothing to adopt.
        #expect(net.servers[0]!.sharingCounters?.adopted == 0)
    }

    @Test("two servers racing to create one client ID agree on one seed")
    func race() {
        var net = FailoverNetwork(n: 500, servers: 2, config: pacedConfig())
        // Every client datagram reaches both servers until both hold the session.
        net.mirror = 1
        net.run(limit: net.now + .seconds(60 as UInt64)) { net in net.servers.allSatisfy { $0!.sessionCount == 1 } }
        let seeds = net.servers.map { $0!.store.allSessions.first?.seed }
        #expect(seeds[0] != nil && seeds[0] == seeds[1], "\(seeds)")
        #expect(net.servers.map { $0!.sharingCounters!.created }.reduce(0, +) == 1)
        #expect(net.servers.map { $0!.sharingCounters!.lostRaces }.reduce(0, +) == 1, "\(net.servers.map { $0!.sharingCounters! })")
    }

    @Test("the store restarted empty: the owner keeps serving, and its next checkpoint restores the record")
    func storeWiped() {
        var net = FailoverNetwork(n: 2_000, servers: 1, config: pacedConfig())
        net.run(limit: net.now + .seconds(60 as UInt64)) { $0.client.cumulative >= 500 }
        net.store.wipe()
        net.run(limit: net.now + .seconds(60 as UInt64)) { $0.client.cumulative >= 1_500 }
        #expect(net.store.checkpoints.count == 1)
        net.run(limit: net.now + .seconds(60 as UInt64))
        #expect(net.passed, "\(net.client.status)")
    }

    @Test("the store unreachable: a new session is refused with storeUnavailable")
    func storeDown() {
        var net = FailoverNetwork(n: 100, servers: 1, config: pacedConfig())
        net.storeReachable = false
        net.run(limit: net.now + .seconds(30 as UInt64))
        guard case .failed(.rejected(let reason)) = net.client.status else {
            Issue.record("status \(net.client.status)"); return
        }
        #expect(reason == .storeUnavailable)
        #expect(net.servers[0]!.sharingCounters?.refusedUnavailable == 1)
    }

    @Test("recent completions are remembered up to their bound, the oldest forgotten first")
    func recentCompletionsBound() {
        var sharing = SessionSharing(checkpointPeriod: FailoverNetwork.period)
        let ids = (0...SessionSharing.recentCompletions).map { ClientID(high: 9, low: UInt64($0)) }
        for id in ids.dropLast() { sharing.noteCompleted(id) }
        #expect(sharing.completed.count == SessionSharing.recentCompletions)
        #expect(sharing.completed.contains(ids[0]))
        sharing.noteCompleted(ids.last!)
        #expect(sharing.completed.count == SessionSharing.recentCompletions)
        #expect(!sharing.completed.contains(ids[0]) && sharing.completed.contains(ids[1]) && sharing.completed.contains(ids.last!))
    }

    @Test("queued store requests stop at their bound")
    func requestBound() {
        var sharing = SessionSharing(checkpointPeriod: FailoverNetwork.period)
        var accepted = 0
        for i in 0..<SessionSharing.maxQueuedRequests where sharing.enqueue(.lookup(ClientID(high: 1, low: UInt64(i)))) { accepted += 1 }
        #expect(accepted == SessionSharing.maxQueuedRequests)
        let beyond = sharing.enqueue(.lookup(ClientID(high: 2, low: 0)))
        #expect(!beyond)
        #expect(sharing.counters.requestsDropped == 1)
        let first = sharing.next()
        #expect(first == .lookup(ClientID(high: 1, low: 0)))
        let afterOne = sharing.enqueue(.lookup(ClientID(high: 3, low: 0)))
        #expect(afterOne)
    }

    @Test("checkpoints: round trip, and every corrupted or truncated encoding is refused")
    func encoding() {
        var checksum = SequenceChecksum()
        for i in 0..<10 { checksum.add(UInt32(i) &* 2_654_435_761) }
        let checkpoint = SessionCheckpoint(clientID: ClientID(high: 3, low: 4), seed: 99, total: 1_000, window: 4_096, tag: 5,
                                           retiredTag: 6, address: PeerAddress(ipv4: (1, 2, 3, 4), port: 77), acknowledged: 8,
                                           checksum: checksum, lastHeard: Instant(nanoseconds: 1_234_567))
        let bytes = checkpoint.encoded()
        #expect(bytes.count == SessionCheckpoint.size)
        #expect(SessionCheckpoint(decoding: bytes) == checkpoint)
        for i in bytes.indices {
            var bad = bytes
            bad[i] ^= 0x10
            #expect(SessionCheckpoint(decoding: bad) == nil, "byte \(i) flipped")
        }
        #expect(SessionCheckpoint(decoding: Array(bytes.dropLast())) == nil)
        #expect(SessionCheckpoint(decoding: bytes + [0]) == nil)
    }
}
