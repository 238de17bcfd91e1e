import NumbersProtocol
import Testing
@testable import NumbersTransport

/// PROTOCOL.md §3.9: a datagram longer than `Limits.maxDatagramSize` is dropped as badSize, on
/// either side, whether it still fit the receive buffer (1201, 1250) or was cut (5000).
@Suite("Oversize datagrams are counted as badSize by both loops")
struct OversizeCountingTests {
    static let sizes = [Limits.maxDatagramSize + 1, 1_250, 5_000]

    private func sendOversize(to destination: PeerAddress) throws {
        let junk = try UDPSocket(host: "127.0.0.1", port: 0)
        for size in Self.sizes {
            let bytes = [UInt8](repeating: 0x5a, count: size)
            #expect(try bytes.withUnsafeBytes { try junk.send($0, to: destination) })
        }
    }

    @Test func theServerCountsThemAndStillServes() throws {
        var client: ClientLoop?
        let server = try withServerLoop(store: InMemorySessionStore()) { address, _ in
            // Queued ahead of the client's OPEN, so read before the transfer below ends.
            try sendOversize(to: address)
            client = try runClient(count: 500, server: address)
        }
        guard case .finished(let result)? = client?.engine.status else {
            Issue.record("client ended \(String(describing: client?.engine.status))")
            return
        }
        #expect(result.passed)
        #expect(server.engine.counters.decodeErrors[.badSize] == UInt64(Self.sizes.count))
        #expect(server.oversizeDropped == UInt64(Self.sizes.count))
    }

    @Test func theClientCountsThemAndStillFinishes() throws {
        var client: ClientLoop?
        _ = try withServerLoop(store: InMemorySessionStore()) { address, _ in
            client = try runClient(count: 500, server: address, beforeRun: sendOversize)
        }
        let loop = try #require(client)
        guard case .finished(let result) = loop.engine.status else {
            Issue.record("client ended \(loop.engine.status)")
            return
        }
        #expect(result.passed)
        #expect(loop.engine.counters.decodeErrors[.badSize] == UInt64(Self.sizes.count))
        #expect(loop.oversizeDropped == UInt64(Self.sizes.count))
    }
}
