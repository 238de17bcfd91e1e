/// SipHash-2-4, a keyed 64-bit pseudo-random function: the MAC behind address-validation tokens.
/// Inputs here are a few dozen bytes, so a straightforward implementation is fast enough.
public struct SipHashKey: Hashable, Sendable {
    public var k0: UInt64
    public var k1: UInt64
    public init(k0: UInt64, k1: UInt64) { self.k0 = k0; self.k1 = k1 }

    public static func random() -> SipHashKey {
        var rng = SystemRandomNumberGenerator()
        return SipHashKey(k0: rng.next(), k1: rng.next())
    }

    public func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var v0: UInt64 = 0x736F_6D65_7073_6575 ^ k0
        var v1: UInt64 = 0x646F_7261_6E64_6F6D ^ k1
        var v2: UInt64 = 0x6C79_6765_6E65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        @inline(__always) func round() {
            v0 &+= v1; v1 = v1.rotateLeft(13); v1 ^= v0; v0 = v0.rotateLeft(32)
            v2 &+= v3; v3 = v3.rotateLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotateLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotateLeft(17); v1 ^= v2; v2 = v2.rotateLeft(32)
        }

        let n = bytes.count
        var i = 0
        while n - i >= 8 {
            let m = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            v3 ^= m; round(); round(); v0 ^= m
            i += 8
        }
        var last = UInt64(truncatingIfNeeded: n) << 56
        var shift: UInt64 = 0
        while i < n { last |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
        v3 ^= last; round(); round(); v0 ^= last
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotateLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}
