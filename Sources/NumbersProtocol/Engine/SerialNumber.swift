/// Comparison of wrapping 32-bit sequence numbers (RFC 1982 style): `a` is newer than `b` when it
/// lies less than 2³¹ ahead of it. ACK sequence numbers wrap after 4 billion ACKs.
@inline(__always)
package func isNewer(_ a: UInt32, than b: UInt32) -> Bool {
    Int32(bitPattern: a &- b) > 0
}
