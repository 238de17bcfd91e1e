extension WireEncoder {
    /// DATA carrying `generator`'s numbers `index ..< index + count`, whose numbers from position
    /// `firstNew` on also join `checksum` (they are sent for the first time): one CRC pass over the
    /// datagram serves both.
    @inlinable
    public static func encodeData(tag: UInt32, echo: UInt32, total: UInt32, index: UInt32, count: Int,
                                  generator: SequenceGenerator, firstNew: Int, folding checksum: inout SequenceChecksum,
                                  into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(count >= 1 && count <= Limits.maxNumbersPerDatagram && buffer.count >= DataMessage.size(count: count))
        precondition(firstNew >= 0 && firstNew <= count)
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.data.rawValue)
        w.u32(tag); w.u32(echo); w.u32(total); w.u32(index); w.u16(UInt16(count))
        generator.writeBigEndian(from: index, count: count, into: buffer.baseAddress! + DataMessage.headerSize)
        return sealData(count: count, firstNew: firstNew, folding: &checksum, buffer: buffer)
    }

    @usableFromInline
    static func sealData(count: Int, firstNew: Int, folding checksum: inout SequenceChecksum,
                         buffer: UnsafeMutableRawBufferPointer) -> Int {
        let newFrom = DataMessage.headerSize + 4 * firstNew
        let end = DataMessage.headerSize + 4 * count
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<newFrom]))
        if newFrom < end {
            checksum.add(bigEndianNumbers: UnsafeRawBufferPointer(rebasing: buffer[newFrom..<end]), alsoFeeding: &crc)
        }
        buffer.storeBytes(of: crc.value.bigEndian, toByteOffset: end, as: UInt32.self)
        return end + Limits.checksumSize
    }
}
