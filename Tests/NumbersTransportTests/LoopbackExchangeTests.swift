import Glibc
import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("Batched exchange over real loopback sockets")
struct LoopbackExchangeTests {
    /// Sends 64 distinct datagrams from `from` to `to` in one batch and checks what arrives.
    private func exchange(from sender: UDPSocket, to receiver: UDPSocket) throws {
        let batch = SendBatch()
        for index in 0..<64 {
            let bytes = payload(index)
            let appended = batch.append(to: receiver.localAddress) { buffer in
                buffer.copyBytes(from: bytes)
                return bytes.count
            }
            #expect(appended)
        }
        #expect(batch.isFull)
        let outcome = try sender.send(batch)
        #expect(outcome == SendOutcome(sent: 64, dropped: 0))
        #expect(batch.isEmpty)

        let received = try receive(64, on: receiver)
        #expect(received.count == 64)
        // Loopback keeps order in practice, but the index byte makes the check order-free.
        let byIndex = Dictionary(received.map { (Int($0.bytes[0]), $0) }, uniquingKeysWith: { first, _ in first })
        for index in 0..<64 {
            #expect(byIndex[index]?.bytes == payload(index), "datagram \(index)")
            #expect(byIndex[index]?.source == sender.localAddress)
            #expect(byIndex[index]?.truncated == false)
        }
    }

    @Test func ipv4BatchBothWays() throws {
        let a = try UDPSocket(host: "127.0.0.1", port: 0)
        let b = try UDPSocket(host: "127.0.0.1", port: 0)
        #expect(a.localAddress.family == .ipv4 && a.localAddress.port != 0)
        #expect(a.localAddress.ipv4Value == 0x7f00_0001)
        try exchange(from: a, to: b)
        try exchange(from: b, to: a)
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "IPv6 loopback ::1 cannot be bound on this machine"))
    func ipv6BatchBothWays() throws {
        let a = try UDPSocket(host: "::1", port: 0)
        let b = try UDPSocket(host: "[::1]", port: 0)
        #expect(a.localAddress.family == .ipv6)
        #expect(a.localAddress.high == 0 && a.localAddress.low == 1)
        try exchange(from: a, to: b)
        try exchange(from: b, to: a)
    }

    @Test func singleSendArrivesWithExactBytes() throws {
        let a = try UDPSocket(host: "localhost", port: 0)
        let b = try UDPSocket(host: a.localAddress.family == .ipv4 ? "127.0.0.1" : "::1", port: 0)
        let bytes: [UInt8] = [1, 2, 3, 4, 5]
        #expect(try bytes.withUnsafeBytes { try a.send($0, to: b.localAddress) })
        let received = try receive(1, on: b)
        #expect(received == [ReceivedDatagram(source: a.localAddress, bytes: bytes, truncated: false)])
    }

    @Test(.enabled(if: ipv6LoopbackAvailable, "IPv6 loopback ::1 cannot be bound on this machine"))
    func dualStackSocketReachesIPv4Peer() throws {
        let wildcard = try UDPSocket(host: "::", port: 0)
        let v4 = try UDPSocket(host: "127.0.0.1", port: 0)
        let bytes: [UInt8] = [9, 8, 7]
        // An IPv4 destination on an IPv6 socket goes out as ::ffff:127.0.0.1.
        #expect(try bytes.withUnsafeBytes { try wildcard.send($0, to: v4.localAddress) })
        let received = try receive(1, on: v4)
        #expect(received.first?.bytes == bytes)
        #expect(received.first?.source.port == wildcard.localAddress.port)
    }

    @Test func sendingToAPortNobodyListensOnIsNotAnError() throws {
        let a = try UDPSocket(host: "127.0.0.1", port: 0)
        let closedPort = try UDPSocket(host: "127.0.0.1", port: 0).localAddress  // socket closed at once
        let batch = SendBatch(capacity: 4)
        for _ in 0..<4 { batch.commit(length: 10, to: closedPort) }
        let first = try a.send(batch)
        #expect(first.sent + first.dropped == 4)
        // ICMP port-unreachable may now be queued; a receive must skip it, not throw.
        #expect(try a.receive(into: ReceiveBatch(capacity: 1)) == 0)
    }

    @Test func appendRefusesWhenFullAndSkipsEmptyWrites() {
        let batch = SendBatch(capacity: 2)
        let destination = PeerAddress(ipv4: (127, 0, 0, 1), port: 9)
        #expect(batch.append(to: destination) { _ in 0 })
        #expect(batch.count == 0)
        #expect(batch.append(to: destination) { $0[0] = 7; return 1 })
        #expect(batch.append(to: destination) { $0[0] = 8; return 1 })
        var called = false
        #expect(!batch.append(to: destination) { _ in called = true; return 1 })
        #expect(!called && batch.nextBuffer == nil)
        #expect(Array(batch.bytes(at: 1)) == [8] && batch.destination(at: 0) == destination)
        #expect(batch.nextBuffer == nil)
        #expect(SendBatch().bufferSize == Limits.maxDatagramSize)
    }
}
