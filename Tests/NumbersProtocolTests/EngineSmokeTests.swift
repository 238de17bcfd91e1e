import Testing
@testable import NumbersProtocol

/// A minimal lossy loop of one client and one server, to exercise the engines directly.
struct MiniNetwork {
    var server: ServerEngine<InMemorySessionStore>
    var client: ClientEngine
    var rng: SplitMix64
    let lossToServer: Double
    let lossToClient: Double
    let delay = Nanoseconds.milliseconds(5)
    var now = Instant(nanoseconds: 1_000_000_000)
    var inFlight: [(at: Instant, toServer: Bool, bytes: [UInt8])] = []
    let clientAddress = PeerAddress(ipv4: (10, 0, 0, 2), port: 5000)
    let serverAddress = PeerAddress(ipv4: (10, 0, 0, 1), port: 9000)
    var buffer = [UInt8](repeating: 0, count: 1500)
    var finishedAt: Instant?

    init(n: UInt32, seed: UInt64, loss: Double, config: ServerConfig = ServerConfig()) {
        rng = SplitMix64(seed: seed)
        server = ServerEngine(config: config, store: InMemorySessionStore(), key: SipHashKey(k0: 1, k1: 2), seedSource: seed)
        let c = ClientConfig(clientID: ClientID.random(using: &rng), mode: .start(count: n), server: serverAddress, tag: 7)
        client = ClientEngine(config: c, now: now, randomSeed: seed)
        lossToServer = loss; lossToClient = loss
    }

    mutating func run(limit: Instant) {
        while !client.status.isOver || !inFlight.isEmpty || client.nextDeadline != nil {
            // emit
            while true {
                let produced = buffer.withUnsafeMutableBytes { client.poll(now: now, into: $0) }
                guard let len = produced else { break }
                if rng.nextUnitDouble() >= lossToServer { inFlight.append((now + delay, true, Array(buffer[0..<len]))) }
            }
            while true {
                let produced = buffer.withUnsafeMutableBytes { server.poll(now: now, into: $0) }
                guard let t = produced else { break }
                if rng.nextUnitDouble() >= lossToClient { inFlight.append((now + delay, false, Array(buffer[0..<t.length]))) }
            }
            var next = min(client.nextDeadline ?? .never, server.nextDeadline ?? .never)
            for f in inFlight { next = min(next, f.at) }
            if next == .never || next > limit { break }
            now = max(now, next)
            let due = inFlight.filter { $0.at <= now }
            inFlight.removeAll { $0.at <= now }
            for d in due {
                d.bytes.withUnsafeBytes { raw in
                    if d.toServer { server.handle(raw, from: clientAddress, now: now) }
                    else { client.handle(raw, from: serverAddress, now: now) }
                }
            }
            if finishedAt == nil && client.status.isOver { finishedAt = now }
        }
    }
}

@Test func cleanTransferPasses() {
    var config = ServerConfig(); config.interval = .zero; config.batch = 10
    var net = MiniNetwork(n: 1000, seed: 1, loss: 0, config: config)
    net.run(limit: net.now + .seconds(60 as UInt64))
    guard case .finished(let result) = net.client.status else { Issue.record("status \(net.client.status)"); return }
    var completed = 0
    while let e = net.server.pollEvent() {
        if case .ended(_, _, _, .completed, _) = e { completed += 1 }
    }
    #expect(completed == 1)
    #expect(net.server.counters.retransmittedDatagrams == 0)
    #expect(result.passed)
    #expect(net.server.sessionCount == 0)
}

@Test(arguments: [0.1, 0.3, 0.5])
func lossyTransferPasses(loss: Double) {
    for seed in UInt64(1)...20 {
        var config = ServerConfig(); config.interval = .zero; config.batch = 3; config.window = 512
        var net = MiniNetwork(n: 2000, seed: seed, loss: loss, config: config)
        net.run(limit: net.now + .seconds(600 as UInt64))
        guard case .finished(let result) = net.client.status else {
            Issue.record("seed \(seed) loss \(loss): status \(net.client.status) cum \(net.client.cumulative) t=\(net.now) \(net.server.counters) \(net.client.counters)"); continue
        }
        #expect(result.passed, "seed \(seed)")
    }
}
