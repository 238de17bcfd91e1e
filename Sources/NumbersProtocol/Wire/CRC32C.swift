import NumbersCRC32C

/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
/// "123456789" checks to 0xE3069283. The arithmetic is in the NumbersCRC32C C target: the CPU's
/// crc32 instruction where it has one, slicing-by-8 tables otherwise.
public struct CRC32C: Hashable, Sendable {
    /// The running register, before the final XOR.
    @usableFromInline var register: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Whether this CPU computes CRC-32C in hardware (SSE4.2 crc32 and PCLMULQDQ).
    public static var usesHardware: Bool { numbers_crc32c_uses_hardware() != 0 }

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

    public mutating func update(byte: UInt8) {
        var b = byte
        register = numbers_crc32c_update(register, &b, 1)
    }

    /// Feeds one uint32 as its four big-endian bytes: the form in which the sequence checksum
    /// covers the numbers.
    public mutating func update(bigEndian word: UInt32) {
        var be = word.bigEndian
        register = numbers_crc32c_update(register, &be, 4)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        register = numbers_crc32c_update(register, base, bytes.count)
    }

    /// Appends a block whose contribution was taken from a zero register (see `NumbersDigest`):
    /// the same as feeding the block's bytes, without reading them again.
    mutating func append(zeroRegisterCRC contribution: UInt32, length: Int) {
        register = numbers_crc32c_shift(register, length) ^ contribution
    }
}
