import NumbersCRC32C

/// What the sequence checksum needs from a DATA datagram's numbers, taken by the decoder in the
/// same pass that checks the datagram's CRC, so that the bytes are read once: the numbers' CRC
/// from a zero register (joined to any running register by a shift) and their sum.
public struct NumbersDigest: Hashable, Sendable {
    public var zeroRegisterCRC: UInt32
    public var sum: UInt64
    public var count: UInt32
}

extension CRC32C {
    /// The register after `header`, then `numbers`; `numbers` is read once, and its digest comes
    /// out of the same pass.
    static func register(header: UnsafeRawBufferPointer, numbers: UnsafeRawBufferPointer) -> (register: UInt32, digest: NumbersDigest) {
        var crc = CRC32C()
        crc.update(header)
        var datagram = crc.register
        var zero: UInt32 = 0
        var sum: UInt64 = 0
        if let base = numbers.baseAddress {
            numbers_crc32c_fold_numbers(&datagram, &zero, &sum, base, numbers.count)
        }
        return (datagram, NumbersDigest(zeroRegisterCRC: zero, sum: sum, count: UInt32(numbers.count / 4)))
    }
}

extension SequenceChecksum {
    /// Folds numbers that the decoder already digested, without reading them.
    public mutating func add(_ digest: NumbersDigest) {
        crc.append(zeroRegisterCRC: digest.zeroRegisterCRC, length: 4 * Int(digest.count))
        addSum(digest.sum, count: digest.count)
    }

    /// Folds numbers laid out big-endian into this checksum and `datagram` (the register of the
    /// DATA datagram that carries them) in one pass.
    mutating func add(bigEndianNumbers bytes: UnsafeRawBufferPointer, alsoFeeding datagram: inout CRC32C) {
        guard let base = bytes.baseAddress else { return }
        var sequence = crc.register
        var sum: UInt64 = 0
        numbers_crc32c_fold_numbers(&datagram.register, &sequence, &sum, base, bytes.count)
        crc.register = sequence
        addSum(sum, count: UInt32(truncatingIfNeeded: bytes.count / 4))
    }
}
