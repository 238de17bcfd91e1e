import Glibc
import NumbersProtocol
@testable import NumbersTransport

/// A received datagram copied out of the batch, so that tests can compare after further receives.
struct ReceivedDatagram: Equatable {
    var source: PeerAddress
    var bytes: [UInt8]
    var truncated: Bool
}

/// Receives until `count` datagrams arrived or `timeout` passed.
func receive(_ count: Int, on socket: UDPSocket, timeout: Nanoseconds = .seconds(UInt64(2))) throws -> [ReceivedDatagram] {
    let batch = ReceiveBatch()
    let deadline = MonotonicClock.now() + timeout
    var result: [ReceivedDatagram] = []
    while result.count < count {
        let now = MonotonicClock.now()
        guard now < deadline else { break }
        guard socket.waitReadable(timeout: deadline - now) else { continue }
        let arrived = try socket.receive(into: batch)
        for index in 0..<arrived {
            result.append(ReceivedDatagram(source: batch.source(at: index), bytes: Array(batch.bytes(at: index)),
                                           truncated: batch.isTruncated(at: index)))
        }
    }
    return result
}

/// A distinct payload per index: its index, then a pattern, with lengths spread over 1...1200.
func payload(_ index: Int) -> [UInt8] {
    let length = max(2, (index * 37 + 11) % (Limits.maxDatagramSize + 1))
    return (0..<length).map { offset in
        offset == 0 ? UInt8(index) : UInt8(truncatingIfNeeded: offset &* 31 &+ index)
    }
}

/// True when `::1` can be bound here (IPv6 may be disabled in containers).
let ipv6LoopbackAvailable: Bool = (try? UDPSocket(host: "::1", port: 0)) != nil
