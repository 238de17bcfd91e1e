import NumbersProtocol
import NumbersRedis

/// How session checkpoints are laid out in Redis (PROTOCOL.md §10): one string key per session,
/// `numbers:{CLIENT-ID}`, holding the 92-byte `SessionCheckpoint` encoding, with an absolute
/// expiry (PXAT) one checkpoint period plus sessionTTL after the stored `lastHeard`. The braces
/// are a Redis Cluster hash tag: everything about one session lives on one node.
package struct RedisCheckpoints: Sendable {
    package let sessionTTL: Nanoseconds
    package let checkpointPeriod: Nanoseconds
    /// The key holding the address-validation secret that every server of one deployment shares.
    package static let addressKeyName = "numbers:address-key"

    package init(sessionTTL: Nanoseconds, checkpointPeriod: Nanoseconds) {
        self.sessionTTL = sessionTTL
        self.checkpointPeriod = checkpointPeriod
    }

    /// Compare-and-delete in one step on the Redis side.
    static let deleteIfUnchangedScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

    package static func key(_ id: ClientID) -> RedisArgument { RedisArgument("numbers:{\(id)}") }

    private func expiresAt(_ checkpoint: SessionCheckpoint) -> RedisArgument {
        RedisArgument((checkpoint.lastHeard + checkpointPeriod + sessionTTL).nanoseconds / 1_000_000)
    }

    /// The one command that carries out `request`.
    package func command(for request: StoreRequest) -> RedisCommand {
        switch request {
        case .create(let c):
            // Create-if-absent that also returns what was there: the race is settled by Redis.
            return RedisCommand("SET", Self.key(c.clientID), RedisArgument(c.encoded()), "NX", "GET", "PXAT", expiresAt(c))
        case .refresh(let c):
            return RedisCommand("SET", Self.key(c.clientID), RedisArgument(c.encoded()), "PXAT", expiresAt(c))
        case .lookup(let id):
            return RedisCommand("GET", Self.key(id))
        case .delete(let id):
            return RedisCommand("DEL", Self.key(id))
        case .deleteIfUnchanged(let c):
            return RedisCommand("EVAL", RedisArgument(Self.deleteIfUnchangedScript), 1, Self.key(c.clientID), RedisArgument(c.encoded()))
        }
    }

    /// What the engine is told about `request` given Redis's reply; nil for requests that need
    /// no answer. The second value, when not nil, is worth a log line.
    package func answer(to request: StoreRequest, reply: RESPValue) -> (StoreAnswer?, String?) {
        let id = request.clientID
        switch (request, reply) {
        case (.create, .bulk(nil)):
            return (.created(id, existing: nil), nil)
        case (.create, .bulk(let bytes?)):
            guard let existing = SessionCheckpoint(decoding: bytes) else {
                return (.unavailable(id), "session \(id): the stored checkpoint is not one this server can read (\(bytes.count) bytes)")
            }
            return (.created(id, existing: existing), nil)
        case (.lookup, .bulk(nil)):
            return (.found(id, nil), nil)
        case (.lookup, .bulk(let bytes?)):
            guard let found = SessionCheckpoint(decoding: bytes) else {
                return (.unavailable(id), "session \(id): the stored checkpoint is not one this server can read (\(bytes.count) bytes)")
            }
            return (.found(id, found), nil)
        case (.create, _), (.lookup, _):
            return (.unavailable(id), "session \(id): \(request.name) failed: \(reply)")
        case (.refresh, .simple), (.delete, .integer), (.deleteIfUnchanged, .integer):
            return (nil, nil)
        case (.refresh, _), (.delete, _), (.deleteIfUnchanged, _):
            return (nil, "session \(id): \(request.name) failed: \(reply)")
        }
    }

    /// The answer when Redis could not be asked at all.
    package func unreachable(_ request: StoreRequest) -> StoreAnswer? {
        switch request {
        case .create, .lookup: return .unavailable(request.clientID)
        case .refresh, .delete, .deleteIfUnchanged: return nil
        }
    }

    /// The deployment's address-validation secret: created by the first server (SET NX), read by
    /// every other, so a token one server minted is valid at all of them.
    package static func sharedAddressKey(_ client: RedisClient, proposal: SipHashKey) throws(RedisError) -> SipHashKey {
        var bytes: [UInt8] = []
        for word in [proposal.k0, proposal.k1] { for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
        let replies = try client.pipeline([RedisCommand("SET", RedisArgument(addressKeyName), RedisArgument(bytes), "NX"),
                                           RedisCommand("GET", RedisArgument(addressKeyName))])
        if case .error(let message) = replies[1] { throw .server(message) }
        guard let stored = replies[1].bytes, stored.count == 16 else {
            throw .protocolViolation("\(addressKeyName) does not hold 16 bytes")
        }
        let k0 = stored[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let k1 = stored[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return SipHashKey(k0: k0, k1: k1)
    }
}

extension StoreRequest {
    var name: String {
        switch self {
        case .create: return "create"
        case .refresh: return "checkpoint"
        case .lookup: return "lookup"
        case .delete, .deleteIfUnchanged: return "delete"
        }
    }
}
