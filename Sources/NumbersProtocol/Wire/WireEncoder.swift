/// Writes messages into a caller's buffer (at least `Limits.maxDatagramSize` bytes) and returns
/// the datagram's length, CRC included. Nothing is allocated.
public enum WireEncoder {
    /// Writes `m` into `buffer`, checksum included.
    ///
    /// - Precondition: `buffer` holds the message (`Limits.maxDatagramSize` bytes always do) and
    ///   `m`'s fields are in range (as `WireDecoder` would accept them).
    /// - Returns: the datagram's length; its bytes are `buffer[0..<length]`.
    public static func encode(_ m: OpenMessage, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= OpenMessage.size)
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.open.rawValue)
        w.u32(m.tag); w.clientID(m.clientID); w.u32(m.count); w.u32(m.resumeFrom)
        w.u32(m.window); w.u64(m.token); w.u32(m.ackSeq)
        return w.finish()
    }

    /// Likewise for ACK.
    public static func encode(_ m: AckMessage, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(m.ranges.count <= Limits.maxAckRanges && buffer.count >= AckMessage.size(rangeCount: m.ranges.count))
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.ack.rawValue); w.u8(m.flags.rawValue)
        w.u32(m.tag); w.clientID(m.clientID); w.u64(m.token); w.u32(m.ackSeq)
        w.u32(m.cumulative); w.u32(m.highest); w.u8(UInt8(m.ranges.count))
        for r in m.ranges { w.u32(r.start); w.u32(r.end) }
        return w.finish()
    }

    /// Likewise for CHALLENGE.
    public static func encode(_ m: ChallengeMessage, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= ChallengeMessage.size)
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.challenge.rawValue); w.u32(m.tag); w.u64(m.token)
        return w.finish()
    }

    /// DATA whose numbers come from `number(i)` for i in 0..<count, written straight into the
    /// datagram: the server's hot path, so the closure is specialised away.
    @inlinable
    public static func encodeData(tag: UInt32, echo: UInt32, total: UInt32, index: UInt32, count: Int,
                                  into buffer: UnsafeMutableRawBufferPointer, number: (Int) -> UInt32) -> Int {
        precondition(count >= 1 && count <= Limits.maxNumbersPerDatagram && buffer.count >= DataMessage.size(count: count))
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.data.rawValue)
        w.u32(tag); w.u32(echo); w.u32(total); w.u32(index); w.u16(UInt16(count))
        for i in 0..<count { w.u32(number(i)) }
        return w.finish()
    }

    /// Likewise for DATA.
    public static func encode(_ m: DataMessage, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let numbers = m.numbers
        return encodeData(tag: m.tag, echo: m.echo, total: m.total, index: m.index, count: numbers.count,
                          into: buffer) { numbers[$0] }
    }

    /// Likewise for TRAILER.
    public static func encode(_ m: TrailerMessage, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= TrailerMessage.size)
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.trailer.rawValue)
        w.u32(m.tag); w.u32(m.echo); w.u32(m.total); w.u32(m.sequenceCRC); w.u64(m.sum)
        return w.finish()
    }

    /// Likewise for REJECT.
    public static func encode(_ m: RejectMessage, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= RejectMessage.size)
        var w = ByteWriter(buffer)
        w.u8(Wire.version); w.u8(MessageType.reject.rawValue); w.u32(m.tag); w.u8(m.reason.rawValue)
        return w.finish()
    }

    /// Any message, by its case.
    public static func encode(_ message: Message, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        switch message {
        case .open(let m): return encode(m, into: buffer)
        case .ack(let m): return encode(m, into: buffer)
        case .challenge(let m): return encode(m, into: buffer)
        case .data(let m): return encode(m, into: buffer)
        case .trailer(let m): return encode(m, into: buffer)
        case .reject(let m): return encode(m, into: buffer)
        }
    }
}
