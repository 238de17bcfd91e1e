import Testing
import NumbersProtocol

/// Engines move between tasks: these compile only while that stays allowed.
@Suite struct SendableEngineTests {
    static func requireSendable<T: Sendable>(_: T.Type) {}

    @Test func aClientEngineCrossesATaskBoundary() async {
        Self.requireSendable(ClientEngine.self)
        let server = PeerAddress(ipv4: (127, 0, 0, 1), port: 9000)
        let engine = ClientEngine(config: ClientConfig(clientID: ClientID(high: 1, low: 2), mode: .start(count: 10), server: server, tag: 7),
                                  now: .zero, randomSeed: 3)
        // The copy left behind is still usable: a value, not a shared reference.
        let sentThere = await Task.detached { [engine] () -> Bool in
            var moved = engine
            return moved.poll(now: .zero) != nil
        }.value
        #expect(sentThere, "the first poll sends an OPEN")
        #expect(engine.counters.opensSent == 0)
    }

    @Test func aServerEngineIsHandedOverWhole() async {
        let engine = ServerEngine(config: ServerConfig(), store: InMemorySessionStore(), key: SipHashKey(k0: 1, k1: 2), seedSource: 9)
        // Not Sendable (its congestion controllers are objects), yet a value no one else refers to
        // may be sent to another task.
        let sessions = await Task.detached { () -> Int in
            var owned = engine
            _ = owned.poll(now: .zero)
            return owned.sessionCount
        }.value
        #expect(sessions == 0)
    }
}
