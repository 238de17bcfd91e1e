import Foundation
import Glibc
import NumbersLoad
import NumbersProtocol
import NumbersRedis
import NumbersTransport
import Synchronization
import Testing

/// PROTOCOL.md §10 with real processes: numbers-server over a real redis-server, killed with
/// SIGKILL, replaced, doubled on one port; clients that never restart.
@Suite("Failover through a Redis store", .enabled(if: RedisServer.canRun, RedisServer.skipReason), .serialized)
struct FailoverTests {
    /// Paced so that a transfer of n = 2,000 takes about two seconds.
    static let pace = ["-interval", "10ms", "-batch", "10", "-quiet"]

    private func checkpoint(_ redis: RedisServer, _ id: String) throws -> SessionCheckpoint? {
        try redis.send(RedisCommand("GET", RedisArgument("numbers:{\(id)}"))).bytes.flatMap(SessionCheckpoint.init(decoding:))
    }

    @Test("a server killed mid-transfer and a new one on the same port and store: the same client PASSes on the original seed")
    func serverReplaced() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let first = try await startServer(group, ["-store", redis.url] + Self.pace)
        let client = try await startClientShowingID(group, port: first.port, ["-n", "2000"])
        blockingPause(milliseconds: 800)
        let stored = try #require(try checkpoint(redis, client.clientID), "a checkpoint in Redis while the session runs")
        first.process.kill()
        let second = try await startServer(group, onPort: first.port, ["-store", redis.url] + Self.pace)
        let run = await finish(client.process, timeout: .seconds(20))
        #expect(run.termination == .exited(0) && run.report.passed, "\(run.transcript)\n\(second.process.transcript)")
        // The whole sequence is the one of the seed the first server drew.
        let expected = SequenceChecksum.of(SequenceGenerator(seed: stored.seed), count: 2000)
        #expect(run.report.expectedCRC == String(format: "0x%08x", expected.crcValue), "\(run.transcript)")
        #expect(second.process.outputLines.isEmpty == false)
        // The client exits once it has verified the stream; its DONE reaches the server a moment
        // later, and the delete follows it: stopping the server before then left the checkpoint
        // (the DONE unread in the socket), so wait for the delete, up to 5 s.
        var deleted = false
        for _ in 0..<100 {
            if try checkpoint(redis, client.clientID) == nil { deleted = true; break }
            blockingPause(milliseconds: 50)
        }
        #expect(deleted, "completion deletes the checkpoint")
        await stop(second)
        #expect(second.process.standardOutput.contains("adopted 1"), "\(second.process.transcript)")
    }

    @Test("two servers on one port (-reusePort) and one store, 200 clients at once, one server killed mid-way: every client PASSes")
    func twoServersOnePort() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let arguments = ["-store", redis.url, "-reusePort"] + Self.pace
        let first = try await startServer(group, arguments)
        let second = try await startServer(group, onPort: first.port, arguments)
        var config = LoadConfig(server: PeerAddress(ipv4: (127, 0, 0, 1), port: first.port), sessions: 200, numbersPerSession: 2_000)
        // One socket per client, so that the kernel spreads them over both servers.
        config.sockets = 200
        config.openRate = 1_000
        config.timeLimit = .seconds(40 as UInt64)
        let report = Mutex<LoadReport?>(nil)
        let frozen = config
        let thread = try JoinableThread {
            let result = try? LoadGenerator(config: frozen).run { _ in }
            report.withLock { $0 = result }
        }
        blockingPause(milliseconds: 1_000)
        first.process.kill()
        thread.join()
        let result = try #require(report.withLock { $0 } as LoadReport?)
        #expect(result.passed == 200, "\(result)")
        await stop(second)
        let adoptedLine = second.process.outputLines.first { $0.contains("adopted ") } ?? ""
        let adopted = Int(adoptedLine.components(separatedBy: "adopted ").last?.prefix(while: \.isNumber) ?? "") ?? 0
        #expect(adopted > 0, "the survivor took over the dead server's clients\n\(second.process.transcript)")
    }

    @Test("a new client process resuming with -clientID after its server died PASSes on the other server; after sessionTTL it is refused as in memory")
    func resumeElsewhere() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let ttl = 4.0
        let arguments = ["-store", redis.url, "-sessionTTL", "\(Int(ttl))s"] + Self.pace
        let first = try await startServer(group, arguments)
        let second = try await startServer(group, arguments)
        var originals: [LiveClient] = []
        for _ in 0..<3 { originals.append(try await startClientShowingID(group, port: first.port, ["-n", "2000"])) }
        blockingPause(milliseconds: 700)
        for client in originals { client.process.kill() }
        first.process.kill()
        let silentSince = ContinuousClock.now
        func resume(_ client: LiveClient, at offset: Double) throws -> ChildProcess {
            let wait = silentSince + .seconds(offset) - ContinuousClock.now
            if wait > .zero { blockingPause(milliseconds: UInt32(wait / .milliseconds(1))) }
            return try spawnClient(group, port: second.port, ["-clientID", client.clientID])
        }
        // At once, one second before the TTL runs out, one second after it (the checkpoint's
        // uncertainty is half a period, one second): as in memory, only the last is refused.
        let atOnce = try resume(originals[0], at: 0)
        let justInside = try resume(originals[1], at: ttl - 1.1)
        let justOutside = try resume(originals[2], at: ttl + 1.1)
        for (process, name) in [(atOnce, "at once"), (justInside, "1.1 s before the TTL")] {
            let run = await finish(process, timeout: .seconds(20))
            #expect(run.termination == .exited(0) && run.report.passed, "\(name): \(run.transcript)")
        }
        let refused = await finish(justOutside, timeout: .seconds(20))
        #expect(refused.termination != .exited(0), "\(refused.transcript)")
        #expect(refused.stderr.contains(RejectReason.unknownSession.description), "\(refused.transcript)")
    }

    @Test("two servers racing to create one client ID agree on one seed")
    func race() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let arguments = ["-store", redis.url, "-interval", "1s", "-quiet"]
        let servers = [try await startServer(group, arguments), try await startServer(group, arguments)]
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        let id = ClientID(high: 0x1234, low: 0x5678)
        let destinations = servers.map { PeerAddress(ipv4: (127, 0, 0, 1), port: $0.port) }
        func open(token: UInt64) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: OpenMessage.size)
            let message = OpenMessage(tag: 9, clientID: id, count: 100, resumeFrom: 0, window: 4_096, token: token, ackSeq: 0)
            _ = bytes.withUnsafeMutableBytes { WireEncoder.encode(message, into: $0) }
            return bytes
        }
        func receive(timeout: Nanoseconds) -> [(PeerAddress, [UInt8])] {
            var got: [(PeerAddress, [UInt8])] = []
            let deadline = MonotonicClock.now() + timeout
            let batch = ReceiveBatch()
            while MonotonicClock.now() < deadline {
                _ = socket.wait(timeout: .milliseconds(50), wakeup: nil)
                let count = (try? socket.receive(into: batch)) ?? 0
                for i in 0..<count { got.append((batch.source(at: i), Array(batch.bytes(at: i)))) }
            }
            return got
        }
        // A challenge from one server; the secret is shared, so its token is good at both.
        try open(token: 0).withUnsafeBytes { _ = try socket.send($0, to: destinations[0]) }
        let challenge = try #require(receive(timeout: .milliseconds(500)).compactMap { _, bytes -> UInt64? in
            bytes.withUnsafeBytes { raw in
                if case .success(.challenge(let c)) = WireDecoder.decode(raw) { return c.token }
                return nil
            }
        }.first)
        let proven = open(token: challenge)
        for destination in destinations { try proven.withUnsafeBytes { _ = try socket.send($0, to: destination) } }
        let replies = receive(timeout: .milliseconds(800))
        let firstData = destinations.map { destination in
            replies.first { $0.0 == destination && $0.1.count > 1 && $0.1[1] == MessageType.data.rawValue }?.1
        }
        #expect(firstData[0] != nil && firstData[1] != nil, "DATA from both servers: \(replies.map { "\($0.0): \($0.1.count) bytes" })")
        #expect(firstData[0] == firstData[1], "the same first DATA, so the same seed")
        let stored = try #require(try checkpoint(redis, "\(id)"))
        let expectedFirst = SequenceGenerator(seed: stored.seed).number(at: 0)
        let carried = firstData[0].map { Array($0[20..<24]) }
        #expect(carried == [UInt8(expectedFirst >> 24), UInt8((expectedFirst >> 16) & 0xff), UInt8((expectedFirst >> 8) & 0xff), UInt8(expectedFirst & 0xff)])
    }

    @Test("Redis stopped for 10 s mid-transfer and started again empty: the owned session PASSes, a new one is refused with a clear reason meanwhile, and accepted after")
    func redisOutage() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let redis = try RedisServer(group)
        let server = try await startServer(group, ["-store", redis.url, "-interval", "100ms", "-batch", "1"])
        let owned = try await startClientShowingID(group, port: server.port, ["-n", "140"])
        blockingPause(milliseconds: 1_000)
        redis.kill()
        blockingPause(milliseconds: 500)
        let refused = try await runClient(group, port: server.port, ["-n", "10"], timeout: .seconds(10))
        #expect(refused.termination != .exited(0), "\(refused.transcript)")
        #expect(refused.stderr.contains(RejectReason.storeUnavailable.description), "\(refused.transcript)")
        blockingPause(milliseconds: 9_500)
        try redis.start()
        let run = await finish(owned.process, timeout: .seconds(20))
        #expect(run.termination == .exited(0) && run.report.passed, "\(run.transcript)")
        let after = try await runClient(group, port: server.port, ["-n", "10"], timeout: .seconds(10))
        #expect(after.termination == .exited(0) && after.report.passed, "\(after.transcript)")
        #expect(await stop(server) == .exited(0))
        let log = server.process.standardOutput
        #expect(log.contains("sessions held here are still served, new sessions are refused"), "\(server.process.transcript)")
        #expect(log.contains("reachable again"), "\(server.process.transcript)")
    }
}
