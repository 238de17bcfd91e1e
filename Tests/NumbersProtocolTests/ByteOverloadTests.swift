import Testing
@testable import NumbersProtocol

/// A lossless transfer driven only through the array forms of handle and poll.
@Suite("Engines driven with arrays of bytes")
struct ByteOverloadTests {
    @Test func aTransferThroughTheArrayFormsPasses() {
        let clientAddress = PeerAddress(ipv4: (10, 0, 0, 2), port: 5000)
        let serverAddress = PeerAddress(ipv4: (10, 0, 0, 1), port: 9000)
        var config = ServerConfig()
        config.interval = .zero
        config.batch = 50
        var server = ServerEngine(config: config, store: InMemorySessionStore(), key: SipHashKey(k0: 1, k1: 2), seedSource: 3)
        var now = Instant(nanoseconds: 1_000_000_000)
        var client = ClientEngine(config: ClientConfig(clientID: ClientID(high: 1, low: 2), mode: .start(count: 1_000),
                                                       server: serverAddress, tag: 7), now: now, randomSeed: 4)
        var turns = 0
        while !client.status.isOver && turns < 10_000 {
            while let datagram = client.poll(now: now) {
                #expect(datagram.count <= Limits.maxDatagramSize)
                server.handle(datagram, from: clientAddress, now: now)
            }
            while let (bytes, destination) = server.poll(now: now) {
                #expect(destination == clientAddress)
                client.handle(bytes[...], from: serverAddress, now: now)   // any collection: a slice here
            }
            now = now + .milliseconds(1)
            turns += 1
        }
        guard case .finished(let result) = client.status else {
            Issue.record("client ended \(client.status)")
            return
        }
        #expect(result.passed && result.total == 1_000)
        #expect(server.counters.datagramsReceived > 0 && client.counters.decodeErrorTotal == 0)
    }
}
