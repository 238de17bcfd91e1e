/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
/// "123456789" checks to 0xE3069283. Slicing-by-8 tables: eight bytes per step, no allocation.
public struct CRC32C: Hashable, Sendable {
    /// The running register, before the final XOR.
    @usableFromInline var register: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The checksum of everything fed so far (feeding may continue afterwards).
    @inlinable public var value: UInt32 { register ^ 0xFFFF_FFFF }

    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C(); crc.update(bytes); return crc.value
    }

    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var crc = CRC32C()
        for b in bytes { crc.update(byte: b) }
        return crc.value
    }

    @inlinable public mutating func update(byte: UInt8) {
        register = CRC32CTables.shared[Int((register ^ UInt32(byte)) & 0xff)] ^ (register >> 8)
    }

    /// Feeds one uint32 as its four big-endian bytes: the form in which the sequence checksum
    /// covers the numbers.
    @inlinable public mutating func update(bigEndian word: UInt32) {
        let t = CRC32CTables.shared
        // Big-endian bytes b0 b1 b2 b3 enter in that order; as a little-endian load they are the
        // byte-swapped word.
        let x = register ^ word.byteSwapped
        register = t[3 * 256 + Int(x & 0xff)] ^ t[2 * 256 + Int((x >> 8) & 0xff)]
            ^ t[1 * 256 + Int((x >> 16) & 0xff)] ^ t[Int(x >> 24)]
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let t = CRC32CTables.shared
        var crc = register
        var i = 0
        let n = bytes.count
        while n - i >= 8 {
            let lo = bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ crc
            let hi = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
            crc = t[7 * 256 + Int(lo & 0xff)] ^ t[6 * 256 + Int((lo >> 8) & 0xff)]
                ^ t[5 * 256 + Int((lo >> 16) & 0xff)] ^ t[4 * 256 + Int(lo >> 24)]
                ^ t[3 * 256 + Int(hi & 0xff)] ^ t[2 * 256 + Int((hi >> 8) & 0xff)]
                ^ t[1 * 256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
            i += 8
        }
        while i < n {
            crc = t[Int((crc ^ UInt32(bytes[i])) & 0xff)] ^ (crc >> 8)
            i += 1
        }
        register = crc
    }
}

/// The eight 256-entry tables, built once. Table k maps a byte to its CRC contribution when k
/// more zero bytes follow it.
@usableFromInline
enum CRC32CTables {
    @usableFromInline
    nonisolated(unsafe) static let shared: UnsafePointer<UInt32> = {
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            table[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = table[(k - 1) * 256 + i]
                table[k * 256 + i] = table[Int(prev & 0xff)] ^ (prev >> 8)
            }
        }
        return UnsafePointer(table)
    }()
}
