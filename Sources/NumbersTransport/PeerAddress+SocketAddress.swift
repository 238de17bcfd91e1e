import Glibc
import NumbersProtocol

/// Conversions between `PeerAddress` and the kernel's `sockaddr_in` / `sockaddr_in6`, done in place
/// on caller-provided storage so that the per-datagram paths never allocate.
extension PeerAddress {
    /// Reads an AF_INET or AF_INET6 socket address; nil for any other family.
    /// IPv6 scope ids and flow labels are not kept: the protocol addresses peers by address and port.
    package init?(socketAddress storage: UnsafePointer<sockaddr_storage>) {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let address = UnsafeRawPointer(storage).load(as: sockaddr_in.self)
            // s_addr holds the four octets in network order; bigEndian turns them into a.b.c.d.
            self.init(ipv4Value: UInt32(bigEndian: address.sin_addr.s_addr),
                      port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = UnsafeRawPointer(storage).load(as: sockaddr_in6.self)
            let (high, low) = withUnsafeBytes(of: address.sin6_addr) { bytes in
                (UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            self.init(family: .ipv6, port: UInt16(bigEndian: address.sin6_port), high: high, low: low)
        default:
            return nil
        }
    }

    /// True for `::ffff:a.b.c.d`, the form IPv4 peers take on a dual-stack IPv6 socket.
    package var isIPv4Mapped: Bool {
        family == .ipv6 && high == 0 && low >> 32 == 0xffff
    }

    /// Writes this address as the socket address a socket of `socketFamily` can use, and returns
    /// its length. An IPv4 peer on an IPv6 socket becomes `::ffff:a.b.c.d` (dual-stack sockets
    /// reach IPv4 that way) and a mapped peer on an IPv4 socket becomes plain IPv4; an IPv6 peer on
    /// an IPv4 socket is written as IPv6 so that the kernel rejects it with EAFNOSUPPORT.
    package func write(to storage: UnsafeMutablePointer<sockaddr_storage>, for socketFamily: Family? = nil) -> socklen_t {
        switch (family, socketFamily ?? family) {
        case (.ipv4, .ipv4):
            return writeIPv4(ipv4Value, to: storage)
        case (.ipv6, .ipv4) where isIPv4Mapped:
            return writeIPv4(UInt32(truncatingIfNeeded: low), to: storage)
        case (.ipv4, .ipv6):
            return writeIPv6(high: 0, low: 0xffff << 32 | UInt64(ipv4Value), to: storage)
        case (.ipv6, _):
            return writeIPv6(high: high, low: low, to: storage)
        }
    }

    /// Runs `body` with this address as a `sockaddr` on the stack.
    package func withSocketAddress<R, E: Error>(
        for socketFamily: Family? = nil,
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R
    ) throws(E) -> R {
        var storage = sockaddr_storage()
        let length = write(to: &storage, for: socketFamily)
        return try withUnsafePointer(to: &storage) { (pointer) throws(E) -> R in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(E) -> R in
                try body(address, length)
            }
        }
    }

    private func writeIPv4(_ value: UInt32, to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = value.bigEndian
        UnsafeMutableRawPointer(storage).storeBytes(of: address, as: sockaddr_in.self)
        return socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    private func writeIPv6(high: UInt64, low: UInt64, to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
            bytes.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            bytes.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        UnsafeMutableRawPointer(storage).storeBytes(of: address, as: sockaddr_in6.self)
        return socklen_t(MemoryLayout<sockaddr_in6>.size)
    }
}
