/// Turns untrusted bytes into a `Message`, or says why not. Checks, in order: size bounds, the
/// trailing CRC-32C, version, type, exact length for the type, then every field's range. Nothing
/// is allocated; views in the result borrow `bytes`.
public enum WireDecoder {
    /// The smallest valid datagram (REJECT).
    public static let minimumSize = RejectMessage.size

    /// The message in `bytes`, or the first check it fails. Total: any bytes, of any length, give
    /// one or the other, and nothing is trapped on. Thread-safe (pure).
    ///
    /// - Returns: on success, a `Message` whose DATA numbers and ACK ranges are views into `bytes`:
    ///   valid only while `bytes` is (copy out what must outlive the buffer).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<Message, DecodeError> {
        let n = bytes.count
        guard n >= minimumSize, n <= Limits.maxDatagramSize else { return .failure(.badSize) }
        let stated = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        var digest: NumbersDigest? = nil
        if bytes[1] == MessageType.data.rawValue, n >= DataMessage.size(count: 1), (n - DataMessage.size(count: 0)) % 4 == 0 {
            // DATA's numbers are read once: the pass that checks the CRC also digests them for
            // the sequence checksum.
            let (register, d) = CRC32C.register(header: UnsafeRawBufferPointer(rebasing: bytes[0..<DataMessage.headerSize]),
                                                numbers: UnsafeRawBufferPointer(rebasing: bytes[DataMessage.headerSize..<(n - 4)]))
            guard register ^ 0xFFFF_FFFF == stated else { return .failure(.badChecksum) }
            digest = d
        } else {
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<(n - 4)])) == stated else { return .failure(.badChecksum) }
        }
        guard bytes[0] == Wire.version else { return .failure(.badVersion) }
        guard let type = MessageType(rawValue: bytes[1]) else { return .failure(.unknownType) }
        var r = ByteReader(bytes)
        switch type {
        case .open:
            guard n == OpenMessage.size else { return .failure(.badLength) }
            let m = OpenMessage(tag: r.u32(), clientID: r.clientID(), count: r.u32(), resumeFrom: r.u32(),
                                window: r.u32(), token: r.u64(), ackSeq: r.u32())
            guard m.window >= Limits.minWindow, m.window <= Limits.maxWindow,
                  m.count == 0 || m.resumeFrom <= m.count else { return .failure(.badField) }
            return .success(.open(m))

        case .ack:
            guard n >= AckMessage.size(rangeCount: 0) else { return .failure(.badLength) }
            let flags = AckMessage.Flags(rawValue: r.u8())
            let tag = r.u32(), clientID = r.clientID(), token = r.u64(), ackSeq = r.u32()
            let cumulative = r.u32(), highest = r.u32()
            let rangeCount = Int(r.u8())
            guard n == AckMessage.size(rangeCount: rangeCount) else { return .failure(.badLength) }
            guard flags.isSubset(of: .known), rangeCount <= Limits.maxAckRanges,
                  cumulative <= highest else { return .failure(.badField) }
            let rangeBytes = UnsafeRawBufferPointer(rebasing: bytes[AckMessage.baseSize..<(AckMessage.baseSize + 8 * rangeCount)])
            let ranges = AckRanges(wireBytes: rangeBytes)
            var floor = cumulative
            for (i, range) in ranges.enumerated() {
                // Strictly ascending and non-adjacent: adjacent ranges must have been merged.
                guard range.start < range.end, range.end <= highest,
                      i == 0 ? range.start >= floor : range.start > floor else { return .failure(.badField) }
                floor = range.end
            }
            if flags.contains(.done) {
                guard rangeCount == 0, cumulative == highest, !flags.contains(.probe) else { return .failure(.badField) }
            }
            return .success(.ack(AckMessage(flags: flags, tag: tag, clientID: clientID, token: token, ackSeq: ackSeq,
                                             cumulative: cumulative, highest: highest, ranges: ranges)))

        case .challenge:
            guard n == ChallengeMessage.size else { return .failure(.badLength) }
            return .success(.challenge(ChallengeMessage(tag: r.u32(), token: r.u64())))

        case .data:
            guard n >= DataMessage.size(count: 1), (n - DataMessage.size(count: 0)) % 4 == 0 else { return .failure(.badLength) }
            let tag = r.u32(), echo = r.u32(), total = r.u32(), index = r.u32()
            let count = Int(r.u16())
            guard n == DataMessage.size(count: count) else { return .failure(.badLength) }
            guard count >= 1, count <= Limits.maxNumbersPerDatagram,
                  UInt64(index) + UInt64(count) <= UInt64(total) else { return .failure(.badField) }
            let numbers = WireNumbers(wireBytes: UnsafeRawBufferPointer(rebasing: bytes[DataMessage.headerSize..<(n - 4)]))
            return .success(.data(DataMessage(tag: tag, echo: echo, total: total, index: index, numbers: numbers, digest: digest)))

        case .trailer:
            guard n == TrailerMessage.size else { return .failure(.badLength) }
            let m = TrailerMessage(tag: r.u32(), echo: r.u32(), total: r.u32(), sequenceCRC: r.u32(), sum: r.u64())
            guard m.total >= 1, m.sum <= UInt64(m.total) * UInt64(UInt32.max) else { return .failure(.badField) }
            return .success(.trailer(m))

        case .reject:
            guard n == RejectMessage.size else { return .failure(.badLength) }
            let tag = r.u32()
            guard let reason = RejectReason(rawValue: r.u8()) else { return .failure(.badField) }
            return .success(.reject(RejectMessage(tag: tag, reason: reason)))
        }
    }
}
