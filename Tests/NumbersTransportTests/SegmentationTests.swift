import Glibc
import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("Segmentation offload: runs of equal datagrams leave as one send and arrive as they were")
struct SegmentationTests {
    /// Queues `lengths` (datagram i to `destinations[i]`) with distinct contents and returns them.
    private func queue(_ batch: SendBatch, _ lengths: [Int], to destinations: [PeerAddress]) -> [[UInt8]] {
        var sent: [[UInt8]] = []
        for (index, length) in lengths.enumerated() {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: index &* 7 &+ $0 &* 13) }
            sent.append(bytes)
            // commit, not append: append skips an empty datagram, and an empty one is part of the test.
            batch.nextBuffer?.copyBytes(from: bytes)
            batch.commit(length: bytes.count, to: destinations[index])
        }
        return sent
    }

    private func runs(of lengths: [Int], destinations: [PeerAddress]? = nil) -> [Int] {
        let batch = SendBatch(capacity: max(1, lengths.count))
        let one = PeerAddress(family: .ipv4, port: 9, high: 0, low: 0x7f00_0001)
        for (index, length) in lengths.enumerated() { batch.commit(length: length, to: destinations?[index] ?? one) }
        batch.prepareForSend(from: .ipv4)
        let count = batch.buildRuns()
        return (0..<count).map { batch.runs.lengths[$0] }
    }

    @Test("a run ends at a longer datagram, after a shorter one, at another destination, at 64 segments and at 65,507 bytes; an empty one stands alone")
    func runBoundaries() {
        #expect(runs(of: Array(repeating: 1_200, count: 10)) == [10])
        #expect(runs(of: [1_200, 1_200, 700, 1_200]) == [3, 1])          // the shorter one is a run's last
        #expect(runs(of: [700, 1_200, 1_200]) == [1, 2])                  // a longer one starts a new run
        #expect(runs(of: [100, 0, 100, 100]) == [1, 1, 2])                // empty: alone, or it would vanish
        #expect(runs(of: Array(repeating: 10, count: 64)) == [64])
        #expect(runs(of: Array(repeating: 10, count: 65)) == [64, 1])     // SegmentRuns.maxSegments
        #expect(runs(of: Array(repeating: 1_200, count: 64)) == [54, 10]) // 54 × 1,200 = 64,800 ≤ 65,507 < 55 × 1,200
        let a = PeerAddress(family: .ipv4, port: 9, high: 0, low: 0x7f00_0001)
        let b = PeerAddress(family: .ipv4, port: 10, high: 0, low: 0x7f00_0001)
        #expect(runs(of: [50, 50, 50, 50], destinations: [a, a, b, b]) == [2, 2])
        #expect(SegmentRuns.maxBytes == 65_535 - 20 - 8)
    }

    /// Sends the mixed batch from a socket bound to `host` to two receivers on `host`.
    private func mixedBatch(host: String) throws {
        let sender = try UDPSocket(host: host, port: 0)
        sender.useSegmentation()
        #expect(sender.usesSegmentation && sender.segmentationUnavailable == nil, "this kernel has UDP_SEGMENT (4.18+)")
        let first = try UDPSocket(host: host, port: 0), second = try UDPSocket(host: host, port: 0)
        let lengths = Array(repeating: 1_200, count: 30) + [500] + Array(repeating: 80, count: 20) + [0, 1_200, 1_200] + Array(repeating: 33, count: 10)
        let destinations = lengths.indices.map { $0 < 40 || $0 >= 54 ? first.localAddress : second.localAddress }
        let batch = SendBatch(capacity: lengths.count)
        let sent = queue(batch, lengths, to: destinations)
        #expect(try sender.send(batch) == SendOutcome(sent: lengths.count, dropped: 0))
        // Runs: 30 of 1,200 with the 500 after them, 9 and 11 of 80 (the destination changes), 2 of
        // 1,200 after the empty one, which goes alone, and 10 of 33.
        #expect(sender.segmentedRuns == 5 && sender.segmentedDatagrams == lengths.count - 1 && sender.refusedRuns == 0)

        let toFirst = lengths.indices.filter { destinations[$0] == first.localAddress }
        let toSecond = lengths.indices.filter { destinations[$0] == second.localAddress }
        #expect(try receive(toFirst.count, on: first).map(\.bytes) == toFirst.map { sent[$0] })
        #expect(try receive(toSecond.count, on: second).map(\.bytes) == toSecond.map { sent[$0] })
    }

    @Test("mixed sizes to two receivers over IPv4: every datagram arrives whole and in order, in fewer sends")
    func mixedBatchIPv4() throws { try mixedBatch(host: "127.0.0.1") }

    @Test("the same over IPv6", .enabled(if: ipv6LoopbackAvailable, "IPv6 loopback ::1 cannot be bound on this machine"))
    func mixedBatchIPv6() throws { try mixedBatch(host: "::1") }

    @Test("off unless asked for: every datagram is its own send")
    func offByDefault() throws {
        let sender = try UDPSocket(host: "127.0.0.1", port: 0)
        let receiver = try UDPSocket(host: "127.0.0.1", port: 0)
        let batch = SendBatch(capacity: 8)
        let sent = queue(batch, Array(repeating: 1_000, count: 8), to: Array(repeating: receiver.localAddress, count: 8))
        #expect(try sender.send(batch).sent == 8)
        #expect(!sender.usesSegmentation && sender.segmentedRuns == 0)
        #expect(try receive(8, on: receiver).map(\.bytes) == sent)
    }

    @Test("runs the kernel refuses (SO_NO_CHECK: EINVAL) go one by one, between single datagrams it took: each arrives once, in order")
    func refusedRunsGoOneByOne() throws {
        let sender = try UDPSocket(host: "127.0.0.1", port: 0)
        var one: Int32 = 1
        // SO_NO_CHECK (11): no UDP checksum, which segmentation needs, so the kernel refuses every
        // run with EINVAL and takes single datagrams.
        #expect(setsockopt(sender.descriptor, SOL_SOCKET, 11, &one, socklen_t(MemoryLayout<Int32>.size)) == 0)
        sender.useSegmentation()
        #expect(sender.usesSegmentation)
        let a = try UDPSocket(host: "127.0.0.1", port: 0), b = try UDPSocket(host: "127.0.0.1", port: 0)
        // Entries: a single, a run of 3 (refused), a single to b, a run of 2 (refused), a single.
        let lengths = [100, 300, 300, 300, 70, 200, 200, 1_000]
        let destinations = [a, a, a, a, b, a, a, b].map(\.localAddress)
        let batch = SendBatch(capacity: lengths.count)
        let sent = queue(batch, lengths, to: destinations)
        #expect(try sender.send(batch) == SendOutcome(sent: lengths.count, dropped: 0))
        #expect(sender.refusedRuns == 2 && sender.lastRunRefusal == EINVAL)
        #expect(sender.segmentedRuns == 0 && sender.softErrorCount == 0)
        #expect(sender.usesSegmentation, "a refused run is its path's, not the socket's")

        #expect(try receive(6, on: a).map(\.bytes) == [0, 1, 2, 3, 5, 6].map { sent[$0] })
        #expect(try receive(2, on: b).map(\.bytes) == [4, 7].map { sent[$0] })
        // Nothing twice: no further datagram within 50 ms.
        #expect(try receive(1, on: a, timeout: .milliseconds(50)).isEmpty)
    }
}
