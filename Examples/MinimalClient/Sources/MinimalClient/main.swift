import Foundation
import Glibc
import NumbersProtocol

/// A hand-written Codable conformance: `Decoder` and `Encoder` here are Swift's own.
struct Outcome: Codable {
    var numbers: UInt32
    var passed: Bool
    init(numbers: UInt32, passed: Bool) { self.numbers = numbers; self.passed = passed }
    init(from decoder: Decoder) throws {
        var values = try decoder.unkeyedContainer()
        self.init(numbers: try values.decode(UInt32.self), passed: try values.decode(Bool.self))
    }
    func encode(to encoder: Encoder) throws {
        var values = encoder.unkeyedContainer()
        try values.encode(numbers); try values.encode(passed)
    }
}

func now() -> Instant {
    var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t)
    return Instant(nanoseconds: UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec))
}

// Usage: MinimalClient PORT [N] — asks a numbers-server on 127.0.0.1:PORT for N numbers.
let port = UInt16(CommandLine.arguments.dropFirst().first ?? "9000") ?? 9000
let count = UInt32(CommandLine.arguments.dropFirst(2).first ?? "1000") ?? 1000
let server = PeerAddress(ipv4: (127, 0, 0, 1), port: port)
var engine = ClientEngine(config: ClientConfig(clientID: .random(), mode: .start(count: count), server: server, tag: 1),
                          now: now(), randomSeed: UInt64.random(in: 0...UInt64.max))
let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
var to = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                     sin_addr: in_addr(s_addr: UInt32(0x7f00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
var buffer = [UInt8](repeating: 0, count: 2_048)

while !engine.status.isOver || engine.nextDeadline != nil {
    // Send what is due, then wait for a datagram or the next deadline.
    while let length = buffer.withUnsafeMutableBytes({ engine.poll(now: now(), into: $0) }) {
        _ = withUnsafePointer(to: &to) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, buffer, length, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }
    guard let deadline = engine.nextDeadline else { break }
    var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&ready, 1, (deadline - now()).pollMilliseconds(atMost: 1_000)) > 0 else { continue }
    let received = recv(fd, &buffer, buffer.count, 0)   // the socket only hears the server (connectionless, loopback)
    if received > 0 { buffer.withUnsafeBytes { engine.handle(UnsafeRawBufferPointer(rebasing: $0[..<received]), from: server, now: now()) } }
}

if case .finished(let result) = engine.status {
    let json = try JSONEncoder().encode(Outcome(numbers: result.total, passed: result.passed))
    print(String(decoding: json, as: UTF8.self))
    let back = try JSONDecoder().decode(Outcome.self, from: json)
    exit(back.passed ? 0 : 1)
}
print("not finished: \(engine.status)")
exit(1)
