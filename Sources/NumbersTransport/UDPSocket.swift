import Glibc
import NumbersProtocol
import Synchronization

/// A bound, non-blocking UDP socket. It owns its descriptor and closes it on deinit.
///
/// Sendable because its state is the descriptor (the kernel serializes concurrent calls) and
/// atomic counters: one thread may receive while another sends.
package final class UDPSocket: Sendable {
    /// Socket buffer size asked for by default: deep enough to absorb bursts at full rate.
    package static let defaultBufferBytes = 4 << 20

    package let descriptor: Int32
    /// The address actually bound (the kernel's choice of port when 0 was asked for).
    package let localAddress: PeerAddress

    private let softErrorCounter = Atomic<Int>(0)
    private let lastSoftErrorCode = Atomic<Int32>(0)
    /// Segmentation offload: `Segmentation.off` until `useSegmentation()`, then `.on`, or the
    /// errno with which the kernel refused the option.
    let segmentationState = Atomic<Int32>(Segmentation.off)
    let segmentedRunCounter = Atomic<Int>(0)
    let segmentedDatagramCounter = Atomic<Int>(0)
    let refusedRunCounter = Atomic<Int>(0)
    let lastRunRefusalCode = Atomic<Int32>(0)

    /// Opens a socket bound to `host` ("127.0.0.1", "::1", "0.0.0.0", "::", "localhost") and `port`
    /// (0 for an ephemeral one). When a name has several addresses, the first that binds wins.
    /// With `reusePort`, several processes may bind the same address and port (SO_REUSEPORT): the
    /// kernel spreads clients across them by their address, and a client of one that dies is
    /// sent to another.
    package init(host: String, port: UInt16, bufferBytes: Int = UDPSocket.defaultBufferBytes, reusePort: Bool = false) throws(SocketError) {
        var firstError: SocketError?
        for candidate in try PeerAddress.resolving(host: host, port: port) {
            do throws(SocketError) {
                let descriptor = try Self.openBound(to: candidate, bufferBytes: bufferBytes, reusePort: reusePort)
                self.descriptor = descriptor
                self.localAddress = Self.boundAddress(of: descriptor) ?? candidate
                return
            } catch {
                firstError = firstError ?? error
            }
        }
        // `resolving` never returns an empty list, so some bind attempt failed.
        throw firstError ?? SocketError(operation: "bind \(host)", code: 0, message: "no address")
    }

    deinit { close(descriptor) }

    /// Datagrams lost to per-datagram errors (refused, unreachable, no buffer space, send timeout)
    /// since the socket was opened: the protocol treats them as loss, this makes them visible.
    package var softErrorCount: Int { softErrorCounter.load(ordering: .relaxed) }
    /// errno of the most recent soft error, 0 if none.
    package var lastSoftError: Int32 { lastSoftErrorCode.load(ordering: .relaxed) }

    func recordSoftError(_ code: Int32, count: Int = 1) {
        softErrorCounter.add(count, ordering: .relaxed)
        lastSoftErrorCode.store(code, ordering: .relaxed)
    }

    /// The kernel's receive buffer size (Linux reports twice what was granted, for bookkeeping).
    package var receiveBufferBytes: Int { Self.intOption(descriptor, SO_RCVBUF) }
    package var sendBufferBytes: Int { Self.intOption(descriptor, SO_SNDBUF) }

    private static func openBound(to address: PeerAddress, bufferBytes: Int, reusePort: Bool) throws(SocketError) -> Int32 {
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let descriptor = socket(domain, type, 0)
        guard descriptor >= 0 else { throw SocketError.system("socket \(address)") }

        // Bigger buffers only reduce loss, so failure is not an error. The FORCE variants let root
        // exceed net.core.rmem_max/wmem_max; otherwise the kernel clamps the plain request.
        setBuffer(descriptor, force: SO_RCVBUFFORCE, plain: SO_RCVBUF, bytes: bufferBytes)
        setBuffer(descriptor, force: SO_SNDBUFFORCE, plain: SO_SNDBUF, bytes: bufferBytes)

        if reusePort {
            var one: Int32 = 1
            guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                let error = SocketError.system("setsockopt SO_REUSEPORT")
                close(descriptor)
                throw error
            }
        }
        let status = address.withSocketAddress { bind(descriptor, $0, $1) }
        guard status == 0 else {
            let error = SocketError.system("bind \(address)")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    private static func setBuffer(_ descriptor: Int32, force: Int32, plain: Int32, bytes: Int) {
        var value = Int32(clamping: bytes)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(descriptor, SOL_SOCKET, force, &value, size) != 0 {
            _ = setsockopt(descriptor, SOL_SOCKET, plain, &value, size)
        }
    }

    private static func intOption(_ descriptor: Int32, _ option: Int32) -> Int {
        var value: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, option, &value, &size) == 0 ? Int(value) : 0
    }

    private static func boundAddress(of descriptor: Int32) -> PeerAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return status == 0 ? PeerAddress(socketAddress: &storage) : nil
    }
}
