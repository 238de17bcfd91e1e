import Foundation
import Glibc

/// A UDP socket of the test's own, on 127.0.0.1. Bound to port 0 it tells the kernel's choice of
/// a free port; kept open it is a listener that only counts what arrives.
final class LoopbackUDPSocket {
    let descriptor: Int32
    let port: UInt16

    init(port requested: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SpawnError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requested.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SpawnError(description: "bind 127.0.0.1:\(requested): \(message)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }

    /// Reads and counts every datagram waiting in the receive buffer, without blocking.
    func drainCount() -> Int {
        var buffer = [UInt8](repeating: 0, count: 2_048)
        var count = 0
        while buffer.withUnsafeMutableBytes({ recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) >= 0 {
            count += 1
        }
        return count
    }
}

/// A UDP port on 127.0.0.1 that nothing was bound to a moment ago: bind port 0, read the
/// kernel's choice, close. Another process could take it in between; `startServer` retries.
func freeUDPPort() throws -> UInt16 {
    try LoopbackUDPSocket().port
}

/// True when some socket in `pid`'s network namespace is bound to UDP `port`: a way to see that a
/// server is listening without relying on its output.
func udpPortIsBound(_ port: UInt16, inNamespaceOf pid: pid_t) -> Bool {
    let suffix = ":" + String(format: "%04X", port)
    for file in ["/proc/\(pid)/net/udp", "/proc/\(pid)/net/udp6"] {
        guard let table = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 1, fields[1].hasSuffix(suffix) { return true }
        }
    }
    return false
}
