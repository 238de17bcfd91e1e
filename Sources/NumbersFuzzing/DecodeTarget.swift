import NumbersProtocol

extension FuzzTargets {
    /// Target `decode`: any bytes either decode or are rejected (never a crash, a trap or an
    /// allocation), and whatever decodes re-encodes to exactly the same bytes.
    ///
    /// The input is decoded twice: as it is, and with its last four bytes replaced by the right
    /// CRC-32C, so that mutations reach the version, type, length and field checks behind the
    /// checksum instead of dying at it.
    package static func decode(_ data: UnsafeRawBufferPointer) {
        checkRoundTrip(data)
        guard data.count >= 4, data.count <= Limits.maxDatagramSize + 4 else { return }
        var fixed = Array(data)
        fixChecksum(&fixed)
        fixed.withUnsafeBytes { checkRoundTrip($0) }
    }

    static func checkRoundTrip(_ bytes: UnsafeRawBufferPointer) {
        switch WireDecoder.decode(bytes) {
        case .failure(let error):
            // Size is checked first: anything of a plausible size got further than that.
            if bytes.count >= WireDecoder.minimumSize && bytes.count <= Limits.maxDatagramSize {
                invariant(error != .badSize, "a datagram of \(bytes.count) bytes was rejected for its size")
            }
        case .success(let message):
            invariant(bytes.count >= WireDecoder.minimumSize && bytes.count <= Limits.maxDatagramSize,
                         "decoded a datagram of impossible size \(bytes.count)")
            checkFields(message, size: bytes.count)
            var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
            let length = buffer.withUnsafeMutableBytes { WireEncoder.encode(message, into: $0) }
            invariant(length == bytes.count, "re-encoded \(length) bytes from \(bytes.count): \(describe(message))")
            for i in 0..<length where buffer[i] != bytes[i] {
                violated("re-encoding differs at byte \(i) of \(length): \(describe(message))")
            }
        }
    }

    /// What the decoder promises about a message it accepts.
    static func checkFields(_ message: Message, size: Int) {
        switch message {
        case .open(let m):
            invariant(size == OpenMessage.size)
            invariant(m.window >= Limits.minWindow && m.window <= Limits.maxWindow, "OPEN window out of bounds")
            invariant(m.count == 0 || m.resumeFrom <= m.count, "OPEN resumes beyond its count")
        case .ack(let m):
            invariant(size == AckMessage.size(rangeCount: m.ranges.count))
            invariant(m.ranges.count <= Limits.maxAckRanges, "too many ACK ranges")
            invariant(m.flags.isSubset(of: .known), "unknown ACK flags")
            invariant(m.cumulative <= m.highest, "ACK cumulative above highest")
            var floor = m.cumulative
            for (i, r) in m.ranges.enumerated() {
                invariant(r.start < r.end && r.end <= m.highest && (i == 0 ? r.start >= floor : r.start > floor),
                             "ACK range \(r) out of order")
                floor = r.end
            }
            if m.flags.contains(.done) {
                invariant(m.ranges.isEmpty && m.cumulative == m.highest && !m.flags.contains(.probe), "bad DONE ACK")
            }
        case .challenge:
            invariant(size == ChallengeMessage.size)
        case .data(let m):
            invariant(size == DataMessage.size(count: m.numbers.count))
            invariant(m.numbers.count >= 1 && m.numbers.count <= Limits.maxNumbersPerDatagram, "DATA count out of bounds")
            invariant(UInt64(m.index) + UInt64(m.numbers.count) <= UInt64(m.total), "DATA beyond its total")
            var sum: UInt64 = 0
            for v in m.numbers { sum &+= UInt64(v) }   // every number is readable
            _ = sum
        case .trailer(let m):
            invariant(size == TrailerMessage.size)
            invariant(m.total >= 1 && m.sum <= UInt64(m.total) * UInt64(UInt32.max), "impossible TRAILER")
        case .reject:
            invariant(size == RejectMessage.size)
        }
    }

    static func describe(_ message: Message) -> String {
        switch message {
        case .open(let m): return "\(m)"
        case .ack(let m): return "ACK flags \(m.flags.rawValue) tag \(m.tag) cum \(m.cumulative) highest \(m.highest) ranges \(Array(m.ranges))"
        case .challenge(let m): return "\(m)"
        case .data(let m): return "DATA tag \(m.tag) echo \(m.echo) total \(m.total) index \(m.index) count \(m.numbers.count)"
        case .trailer(let m): return "\(m)"
        case .reject(let m): return "\(m)"
        }
    }
}
