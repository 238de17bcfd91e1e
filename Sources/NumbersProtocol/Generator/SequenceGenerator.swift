import NumbersSplitMix

/// Number i of a client's sequence is a pure function of (seed, i): the top 32 bits of the
/// SplitMix64 output function applied to seed + (i + 1) · γ, γ = 0x9E3779B97F4A7C15. This is
/// exactly the (i + 1)-th output of a SplitMix64 generator seeded with `seed`, so any index can be
/// (re)computed in a few instructions and a session never buffers numbers.
public struct SequenceGenerator: Hashable, Sendable {
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inlinable
    public func number(at index: UInt32) -> UInt32 {
        let x = seed &+ (UInt64(index) &+ 1) &* SequenceGenerator.gamma
        return UInt32(truncatingIfNeeded: SplitMix64.mix(x) >> 32)
    }

    /// Numbers `index ..< index + count` as big-endian uint32s at `out`: the server's hot loop.
    /// Four at a time with AVX2 where the CPU has it (NumbersSplitMix): with the baseline
    /// x86-64 build's two SSE2 lanes this loop was a quarter of a full-speed server's time.
    public func writeBigEndian(from index: UInt32, count: Int, into out: UnsafeMutableRawPointer) {
        precondition(count >= 0 && UInt64(index) + UInt64(count) <= UInt64(UInt32.max) + 1)
        numbers_splitmix_write_big_endian(seed, index, count, out)
    }
}

/// The checksum of a whole sequence, as the TRAILER carries it: CRC-32C over the numbers as
/// big-endian uint32s, and their 64-bit sum. Fed strictly in index order.
public struct SequenceChecksum: Hashable, Sendable {
    // The 8-byte field first, so the value packs into 16 bytes.
    public internal(set) var sum: UInt64 = 0
    public internal(set) var crc = CRC32C()
    public internal(set) var count: UInt32 = 0

    public init() {}

    /// The checksum state another process saved (`crcValue`, `sum`, `count`), to carry on from.
    public init(crcValue: UInt32, sum: UInt64, count: UInt32) {
        self.crc.register = crcValue ^ 0xFFFF_FFFF
        self.sum = sum
        self.count = count
    }

    @inline(__always)
    public mutating func add(_ number: UInt32) {
        crc.update(bigEndian: number)
        sum &+= UInt64(number)
        count &+= 1
    }

    public var crcValue: UInt32 { crc.value }

    /// The checksum of the first `count` numbers of `generator`'s sequence.
    public static func of(_ generator: SequenceGenerator, count: UInt32) -> SequenceChecksum {
        var c = SequenceChecksum()
        var i: UInt32 = 0
        while i < count { c.add(generator.number(at: i)); i += 1 }
        return c
    }
}

extension SequenceChecksum {
    /// Folds numbers already laid out big-endian (as in a DATA datagram) in one pass.
    public mutating func add(bigEndianNumbers bytes: UnsafeRawBufferPointer) {
        var unused = CRC32C()
        add(bigEndianNumbers: bytes, alsoFeeding: &unused)
    }

    mutating func addSum(_ numbersSum: UInt64, count numbers: UInt32) {
        sum &+= numbersSum
        count &+= numbers
    }
}
