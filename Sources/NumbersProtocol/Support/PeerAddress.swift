/// A UDP endpoint as the engines see it: an IPv4 or IPv6 address and a port, as a fixed-size value
/// (no allocation, hashable) so that it can key tables and be stored inside a session.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: UInt8, Sendable { case ipv4 = 4, ipv6 = 6 }

    public var family: Family
    public var port: UInt16
    /// The address bytes in network order: IPv4 uses the first 4 bytes of `high`; IPv6 uses all 16.
    public var high: UInt64
    public var low: UInt64

    /// An endpoint from its raw parts (see `high`); no other initialiser allocates either.
    public init(family: Family, port: UInt16, high: UInt64, low: UInt64) {
        self.family = family; self.port = port; self.high = high; self.low = low
    }

    /// An IPv4 endpoint from its four octets, e.g. `PeerAddress(ipv4: (127, 0, 0, 1), port: 9000)`.
    public init(ipv4 o: (UInt8, UInt8, UInt8, UInt8), port: UInt16) {
        let word = UInt64(o.0) << 56 | UInt64(o.1) << 48 | UInt64(o.2) << 40 | UInt64(o.3) << 32
        self.init(family: .ipv4, port: port, high: word, low: 0)
    }

    /// IPv4 address as a host-order 32-bit value (a.b.c.d -> a<<24|b<<16|c<<8|d).
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }

    public init(ipv4Value: UInt32, port: UInt16) {
        self.init(family: .ipv4, port: port, high: UInt64(ipv4Value) << 32, low: 0)
    }

    /// The 16 (IPv6) or 4 (IPv4) address bytes followed by the 2 port bytes, big-endian: the exact
    /// input of the address-validation token, so that it is the same on every platform.
    public func withCanonicalBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var bytes: (UInt64, UInt64, UInt64) = (high.bigEndian, low.bigEndian, 0)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            let count: Int
            switch family {
            case .ipv4:
                // Move the 4 IPv4 bytes to the front (they already are), then the port.
                raw[4] = UInt8(port >> 8); raw[5] = UInt8(truncatingIfNeeded: port)
                count = 6
            case .ipv6:
                raw[16] = UInt8(port >> 8); raw[17] = UInt8(truncatingIfNeeded: port)
                count = 18
            }
            return body(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
    }
}
