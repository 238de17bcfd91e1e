/// Big-endian writes into a caller's buffer. Bounds are the caller's promise (each message
/// checks its total size once before writing), so the per-field cost is one store.
@usableFromInline
struct ByteWriter {
    @usableFromInline let base: UnsafeMutableRawBufferPointer
    @usableFromInline var offset = 0

    @inlinable init(_ base: UnsafeMutableRawBufferPointer) { self.base = base }

    @inlinable mutating func u8(_ v: UInt8) { base[offset] = v; offset += 1 }
    @inlinable mutating func u16(_ v: UInt16) { base.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self); offset += 2 }
    @inlinable mutating func u32(_ v: UInt32) { base.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt32.self); offset += 4 }
    @inlinable mutating func u64(_ v: UInt64) { base.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt64.self); offset += 8 }
    @inlinable mutating func clientID(_ id: ClientID) { u64(id.high); u64(id.low) }

    /// Appends the CRC-32C of everything written so far; returns the datagram's length.
    @inlinable mutating func finish() -> Int {
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: base[0..<offset]))
        u32(crc)
        return offset
    }
}

/// Big-endian reads from an untrusted datagram whose length the decoder has already checked.
@usableFromInline
struct ByteReader {
    @usableFromInline let base: UnsafeRawBufferPointer
    @usableFromInline var offset: Int

    @inlinable init(_ base: UnsafeRawBufferPointer, at offset: Int = 2) { self.base = base; self.offset = offset }

    @inlinable mutating func u8() -> UInt8 { defer { offset += 1 }; return base[offset] }
    @inlinable mutating func u16() -> UInt16 { defer { offset += 2 }; return UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    @inlinable mutating func u32() -> UInt32 { defer { offset += 4 }; return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    @inlinable mutating func u64() -> UInt64 { defer { offset += 8 }; return UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    @inlinable mutating func clientID() -> ClientID { let h = u64(); return ClientID(high: h, low: u64()) }
}
