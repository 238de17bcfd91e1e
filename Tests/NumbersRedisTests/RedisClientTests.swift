import Glibc
import NumbersRedis
import Testing

/// Against a real redis-server (Debian's), each test with its own on a free port.
@Suite("Redis client against a real redis-server", .enabled(if: RedisServerProcess.canRun, RedisServerProcess.skipReason))
struct RedisClientTests {
    @Test("SET, GET of bytes, a missing key, an error reply")
    func basics() throws {
        let server = try RedisServerProcess()
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port))
        let value: [UInt8] = [0, 1, 13, 10, 255]
        #expect(try client.send(RedisCommand("SET", "k", RedisArgument(value))) == .simple("OK"))
        #expect(try client.send(RedisCommand("GET", "k")) == .bulk(value))
        #expect(try client.send(RedisCommand("GET", "missing")) == .bulk(nil))
        let reply = try client.send(RedisCommand("INCR", "k"))
        guard case .error(let message) = reply else { Issue.record("expected an error reply, got \(reply)"); return }
        #expect(message.hasPrefix("ERR"))
        // An error reply leaves the connection usable.
        #expect(try client.send(RedisCommand("PING")) == .simple("PONG"))
        #expect(client.connects == 1)
    }

    @Test("10,000 pipelined commands in one exchange, replies in order")
    func pipelining() throws {
        let server = try RedisServerProcess()
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port))
        let commands = (0..<10_000).map { _ in RedisCommand("INCR", "counter") }
        let replies = try client.pipeline(commands)
        #expect(replies == (1...10_000).map { RESPValue.integer(Int64($0)) })
        let mixed = try client.pipeline([RedisCommand("SET", "a", "1"), RedisCommand("LPUSH", "a", "x"), RedisCommand("GET", "a")])
        #expect(mixed[0] == .simple("OK"))
        #expect(mixed[1].text == nil && mixed[1] != .simple("OK"))
        #expect(mixed[2] == .bulk(Array("1".utf8)))
    }

    @Test("redis://HOST:PORT/DB selects the database")
    func database() throws {
        let server = try RedisServerProcess()
        let three = RedisClient(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:\(server.port)/3"))
        let zero = RedisClient(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:\(server.port)"))
        _ = try three.send(RedisCommand("SET", "where", "three"))
        #expect(try zero.send(RedisCommand("GET", "where")) == .bulk(nil))
        #expect(try three.send(RedisCommand("GET", "where")) == .bulk(Array("three".utf8)))
        let tooHigh = RedisClient(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:\(server.port)/999"))
        #expect { try tooHigh.connect() } throws: { error in
            guard case RedisError.connectFailed(_, let reason) = error else { return false }
            return reason.contains("SELECT 999")
        }
    }

    @Test("a server that never answers times out, and the connection is dropped")
    func timeout() throws {
        // A listening socket that accepts (the kernel does, from its backlog) but never replies.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) + listen(fd, 8) + getsockname(fd, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: port), timeout: 0.2)
        let started = RedisConnectionClock.now
        #expect { try client.send(RedisCommand("PING")) } throws: { error in
            guard case RedisError.timedOut(_, let operation, _) = error else { return false }
            return operation == "PING"
        }
        let waited = RedisConnectionClock.now - started
        #expect(waited >= 0.19, "gave up after \(waited) s, before its timeout")
        #expect(!client.isConnected)
    }

    @Test("Redis down: connect fails clearly, then backs off; restarted, the client reconnects")
    func reconnection() throws {
        let server = try RedisServerProcess()
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port), timeout: 0.5)
        _ = try client.send(RedisCommand("SET", "k", "v"))
        server.stop()
        // The open connection finds out first.
        #expect { try client.send(RedisCommand("GET", "k")) } throws: { error in
            guard case RedisError.connectionLost = error else { return false }
            return true
        }
        #expect { try client.send(RedisCommand("GET", "k")) } throws: { error in
            guard case RedisError.connectFailed(_, let reason) = error else { return false }
            return reason.contains("refused")
        }
        // Within the backoff it does not even try.
        #expect { try client.send(RedisCommand("GET", "k")) } throws: { error in
            guard case RedisError.backingOff(_, let retryIn, let last) = error else { return false }
            return retryIn > 0 && retryIn <= RedisClient.Backoff.initial && last.contains("refused")
        }
        try server.restart()
        usleep(useconds_t(RedisClient.Backoff.initial * 1e6 * 2))
        #expect(try client.send(RedisCommand("GET", "k")) == .bulk(nil), "a restarted redis-server without persistence is empty")
        #expect(client.connects == 2)
    }

    @Test("the backoff doubles, and stops at its maximum")
    func backoffGrows() throws {
        let port = try RedisServerProcess.freeTCPPort()
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: port), timeout: 0.2)
        var delays: [Double] = []
        for _ in 0..<4 {
            #expect(throws: RedisError.self) { try client.connect() }
            do { try client.connect() } catch {
                if case .backingOff(_, let retryIn, _) = error { delays.append(retryIn) }
            }
            usleep(useconds_t((delays.last ?? 0) * 1e6) + 2_000)
        }
        #expect(delays.count == 4)
        for (a, b) in zip(delays, delays.dropFirst()) { #expect(b > a * 1.5, "\(delays)") }
        var delay = 0.0
        var schedule: [Double] = []
        for _ in 0..<10 { delay = RedisClient.Backoff.delay(after: delay); schedule.append(delay) }
        #expect(schedule.prefix(3) == [RedisClient.Backoff.initial, 2 * RedisClient.Backoff.initial, 4 * RedisClient.Backoff.initial])
        #expect(schedule.last == RedisClient.Backoff.maximum)
        #expect(schedule.allSatisfy { $0 <= RedisClient.Backoff.maximum })
    }

    @Test("a connection the server closed is replaced by the next command")
    func serverClosesConnection() throws {
        let server = try RedisServerProcess()
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port))
        let killer = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port))
        _ = try client.send(RedisCommand("CLIENT", "SETNAME", "victim"))
        #expect(try killer.send(RedisCommand("CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal")).integer ?? 0 >= 1)
        #expect(throws: RedisError.self) { try client.send(RedisCommand("PING")) }
        #expect(try client.send(RedisCommand("PING")) == .simple("PONG"))
        #expect(client.connects == 2)
    }
}

enum RedisConnectionClock {
    static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
