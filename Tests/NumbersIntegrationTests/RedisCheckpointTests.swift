import NumbersProtocol
import NumbersRedis
import NumbersTransport
import Synchronization
import Testing

/// The Redis layout of checkpoints, against a real redis-server.
@Suite("Checkpoints in a real Redis", .enabled(if: RedisServer.canRun, RedisServer.skipReason))
struct RedisCheckpointTests {
    static let layout = RedisCheckpoints(sessionTTL: .seconds(30 as UInt64), checkpointPeriod: .seconds(2 as UInt64))

    static func proposal(_ id: ClientID, seed: UInt64) -> SessionCheckpoint {
        SessionCheckpoint(clientID: id, seed: seed, total: 1_000, window: 4_096, tag: 1,
                          address: PeerAddress(ipv4: (127, 0, 0, 1), port: 5_000), acknowledged: 0,
                          checksum: SequenceChecksum(), lastHeard: SharedClock.now())
    }

    /// The seed a `.create` answer says the session has.
    static func agreedSeed(_ answer: StoreAnswer?, proposed: UInt64) -> UInt64? {
        switch answer {
        case .created(_, nil)?: return proposed
        case .created(_, let existing?)?: return existing.seed
        default: return nil
        }
    }

    @Test("two servers racing to create the same 100 client IDs agree on one seed for each")
    func race() throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let ids = (0..<100).map { ClientID(high: 7, low: UInt64($0)) }
        let seeds = Mutex<[[UInt64?]]>([[], []])
        let endpoint = redis.endpoint
        let threads = try (0..<2).map { side in
            try JoinableThread {
                let client = RedisClient(endpoint: endpoint)
                var agreed: [UInt64?] = []
                for id in ids {
                    let proposed = UInt64(side + 1) << 32 | id.low
                    let request = StoreRequest.create(Self.proposal(id, seed: proposed))
                    let reply = (try? client.send(Self.layout.command(for: request))) ?? .error("no reply")
                    agreed.append(Self.agreedSeed(Self.layout.answer(to: request, reply: reply).0, proposed: proposed))
                }
                seeds.withLock { $0[side] = agreed }
            }
        }
        for thread in threads { thread.join() }
        let (a, b) = seeds.withLock { ($0[0], $0[1]) }
        #expect(a.count == 100 && b.count == 100)
        #expect(a.allSatisfy { $0 != nil })
        #expect(a == b, "each ID has one seed, whichever side created it")
    }

    @Test("create, lookup, refresh, delete; every key carries its expiry; a foreign value is not taken for a session")
    func layout() throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let client = RedisClient(endpoint: redis.endpoint)
        let id = ClientID(high: 1, low: 1)
        let checkpoint = Self.proposal(id, seed: 42)
        func carry(_ request: StoreRequest) throws -> StoreAnswer? {
            Self.layout.answer(to: request, reply: try client.send(Self.layout.command(for: request))).0
        }
        #expect(try carry(.lookup(id)) == .found(id, nil))
        #expect(try carry(.create(checkpoint)) == .created(id, existing: nil))
        #expect(try carry(.lookup(id)) == .found(id, checkpoint))
        // Expiry at lastHeard + period + sessionTTL, in milliseconds since the epoch.
        let expireTime = try client.send(RedisCommand("PEXPIRETIME", RedisCheckpoints.key(id))).integer
        #expect(expireTime == Int64((checkpoint.lastHeard + .seconds(32 as UInt64)).nanoseconds / 1_000_000))
        var moved = checkpoint
        moved.acknowledged = 10
        moved.checksum = SequenceChecksum.of(SequenceGenerator(seed: 42), count: 20)
        moved.lastHeard = checkpoint.lastHeard + .seconds(3 as UInt64)
        #expect(try carry(.refresh(moved)) == nil)
        #expect(try carry(.lookup(id)) == .found(id, moved))
        #expect(try carry(.create(Self.proposal(id, seed: 7))) == .created(id, existing: moved))
        // A conditional delete of what was read before the refresh changes nothing.
        #expect(try carry(.deleteIfUnchanged(checkpoint)) == nil)
        #expect(try carry(.lookup(id)) == .found(id, moved))
        #expect(try carry(.deleteIfUnchanged(moved)) == nil)
        #expect(try carry(.lookup(id)) == .found(id, nil))
        #expect(try carry(.create(checkpoint)) == .created(id, existing: nil))
        #expect(try carry(.delete(id)) == nil)
        #expect(try carry(.lookup(id)) == .found(id, nil))
        _ = try client.send(RedisCommand("SET", RedisCheckpoints.key(id), "not a checkpoint"))
        #expect(try carry(.lookup(id)) == .unavailable(id))
    }
}
