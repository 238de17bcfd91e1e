import Testing
@testable import NumbersProtocol

/// Every `DecodeError` from a minimal bad input. Bad datagrams carry a correct CRC (built with
/// `DatagramBuilder`) so that they get past the checksum and reach the check under test; each case
/// also has its nearest valid neighbour, so the check is shown to sit exactly at its edge.
@Suite struct WireRejectionTests {
    private let id = ClientID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)

    // MARK: Builders with correct CRCs

    private func open(version: UInt8 = Wire.version, count: UInt32 = 100, resumeFrom: UInt32 = 0, window: UInt32 = 1000) -> [UInt8] {
        var b = DatagramBuilder(version: version, type: 0x01)
        b.u32(1); b.clientID(id); b.u32(count); b.u32(resumeFrom); b.u32(window); b.u64(0); b.u32(1)
        return b.sealed()
    }

    /// An ACK whose rangeCount byte is `rangeCount ?? ranges.count` and whose ranges are written as given.
    private func ack(flags: UInt8 = 0, cumulative: UInt32 = 10, highest: UInt32 = 100, ranges: [(UInt32, UInt32)] = [],
                     rangeCount: Int? = nil) -> [UInt8] {
        var b = DatagramBuilder(type: 0x02)
        b.u8(flags); b.u32(1); b.clientID(id); b.u64(0); b.u32(2); b.u32(cumulative); b.u32(highest)
        b.u8(UInt8(rangeCount ?? ranges.count))
        for r in ranges { b.u32(r.0); b.u32(r.1) }
        return b.sealed()
    }

    /// A DATA whose count field is `count ?? numbers` and which carries `numbers` numbers.
    private func data(total: UInt32 = 1000, index: UInt32 = 0, numbers: Int = 1, count: Int? = nil) -> [UInt8] {
        var b = DatagramBuilder(type: 0x82)
        b.u32(1); b.u32(0); b.u32(total); b.u32(index); b.u16(UInt16(truncatingIfNeeded: count ?? numbers))
        for i in 0..<numbers { b.u32(UInt32(i) &* 0x9E37_79B9) }
        return b.sealed()
    }

    private func trailer(total: UInt32, sum: UInt64) -> [UInt8] {
        var b = DatagramBuilder(type: 0x83)
        b.u32(1); b.u32(0); b.u32(total); b.u32(0x1234_5678); b.u64(sum)
        return b.sealed()
    }

    private func reject(reason: UInt8) -> [UInt8] {
        var b = DatagramBuilder(type: 0x84)
        b.u32(1); b.u8(reason)
        return b.sealed()
    }

    // MARK: badSize

    @Test func tooShortIsBadSize() {
        #expect(decodeError([]) == .badSize)
        #expect(decodeError([0x01]) == .badSize)
        // 10 bytes, CRC correct: one below the smallest datagram (REJECT, 11 bytes).
        var b = DatagramBuilder(type: 0x84); b.u32(1)
        #expect(b.sealed().count == 10)
        #expect(decodeError(b.sealed()) == .badSize)
        #expect(decodeError(reject(reason: 1)) == nil)        // 11 bytes decodes
    }

    @Test func tooLongIsBadSize() {
        // 1,201 bytes with a correct CRC: a DATA of 294 numbers plus one byte.
        var b = DatagramBuilder(type: 0x82)
        b.u32(1); b.u32(0); b.u32(1000); b.u32(0); b.u16(294)
        b.zeros(4 * 294 + 1)
        let long = b.sealed()
        #expect(long.count == 1201)
        #expect(decodeError(long) == .badSize)
        #expect(decodeError(data(numbers: 294)) == nil)       // 1,200 bytes decodes
        #expect(decodeError([UInt8](repeating: 0, count: 65_507)) == .badSize)
    }

    // MARK: badChecksum

    /// CRC-32C detects every single-bit error: each of the 9,600 one-bit flips of a full DATA
    /// datagram (payload, header and the CRC itself) is rejected as badChecksum.
    @Test func everySingleBitFlipOfDataIsBadChecksum() {
        let g = SequenceGenerator(seed: 77)
        let valid = encodedData(tag: 5, echo: 6, total: 10_000, index: 300, numbers: sequenceNumbers(g, 300..<594))
        #expect(valid.count == 1200)
        #expect(decodeError(valid) == nil)
        var failures = 0
        var flipped = valid
        for byte in 0..<valid.count {
            for bit in 0..<8 {
                flipped[byte] ^= 1 << UInt8(bit)
                if decodeError(flipped) != .badChecksum { failures += 1 }
                flipped[byte] ^= 1 << UInt8(bit)
            }
        }
        #expect(failures == 0)
    }

    @Test func everySingleBitFlipOfSmallMessagesIsBadChecksum() {
        let samples: [[UInt8]] = [
            encoded(OpenMessage(tag: 1, clientID: id, count: 5, resumeFrom: 0, window: 300, token: 0, ackSeq: 1)),
            encodedAck(tag: 1, clientID: id, ackSeq: 3, cumulative: 1, highest: 9, ranges: [IndexRange(2, 4)]),
            encoded(ChallengeMessage(tag: 1, token: 2)),
            encoded(TrailerMessage(tag: 1, echo: 2, total: 3, sequenceCRC: 4, sum: 5)),
            encoded(RejectMessage(tag: 1, reason: .countMismatch)),
        ]
        for valid in samples {
            #expect(decodeError(valid) == nil)
            for byte in 0..<valid.count {
                for bit in 0..<8 {
                    var flipped = valid
                    flipped[byte] ^= 1 << UInt8(bit)
                    #expect(decodeError(flipped) == .badChecksum, "type \(valid[1]) byte \(byte) bit \(bit)")
                }
            }
        }
    }

    /// The CRC is checked before anything else: a wrong version under a wrong CRC is badChecksum.
    @Test func checksumIsCheckedBeforeVersionAndType() {
        var b = DatagramBuilder(version: 9, type: 0x55)
        b.zeros(20)
        var bytes = b.sealed()
        bytes[bytes.count - 1] ^= 0x01
        #expect(decodeError(bytes) == .badChecksum)
    }

    // MARK: badVersion, unknownType, badLength

    @Test func wrongVersionIsBadVersion() {
        #expect(decodeError(open(version: 0)) == .badVersion)
        #expect(decodeError(open(version: 2)) == .badVersion)
        #expect(decodeError(open(version: 0xFF)) == .badVersion)
        #expect(decodeError(open(version: 1)) == nil)
    }

    @Test(arguments: [UInt8(0x00), 0x03, 0x7F, 0x80, 0x85, 0xFF])
    func unknownTypeIsUnknownType(type: UInt8) {
        var b = DatagramBuilder(type: type)
        b.zeros(44)
        #expect(decodeError(b.sealed()) == .unknownType)
    }

    @Test func wrongLengthForTypeIsBadLength() {
        func sized(_ type: UInt8, _ total: Int) -> [UInt8] {
            var b = DatagramBuilder(type: type)
            b.zeros(total - 2 - 4)
            return b.sealed()
        }
        #expect(decodeError(sized(0x01, 49)) == .badLength)        // OPEN is 50
        #expect(decodeError(sized(0x01, 51)) == .badLength)
        #expect(decodeError(sized(0x02, 47)) == .badLength)        // ACK is at least 48
        #expect(decodeError(sized(0x81, 17)) == .badLength)        // CHALLENGE is 18
        #expect(decodeError(sized(0x81, 19)) == .badLength)
        #expect(decodeError(sized(0x83, 29)) == .badLength)        // TRAILER is 30
        #expect(decodeError(sized(0x83, 31)) == .badLength)
        #expect(decodeError(sized(0x84, 12)) == .badLength)        // REJECT is 11
        #expect(decodeError(sized(0x82, 27)) == .badLength)        // DATA is at least 28
        #expect(decodeError(sized(0x82, 29)) == .badLength)        // …and 24 + 4c
        // ACK: the rangeCount byte disagrees with the length.
        #expect(decodeError(ack(ranges: [(20, 30)], rangeCount: 0)) == .badLength)
        #expect(decodeError(ack(ranges: [], rangeCount: 1)) == .badLength)
        #expect(decodeError(ack(ranges: [(20, 30)], rangeCount: 2)) == .badLength)
        // DATA: the count field disagrees with the length.
        #expect(decodeError(data(numbers: 3, count: 2)) == .badLength)
        #expect(decodeError(data(numbers: 3, count: 4)) == .badLength)
        // The valid neighbours.
        #expect(decodeError(ack(ranges: [(20, 30)])) == nil)
        #expect(decodeError(data(numbers: 3)) == nil)
    }

    // MARK: badField: OPEN

    @Test func openWindowBelowMinimumIsBadField() {
        #expect(decodeError(open(window: Limits.minWindow - 1)) == .badField)
        #expect(decodeError(open(window: 0)) == .badField)
        #expect(decodeError(open(window: Limits.minWindow)) == nil)
    }

    @Test func openWindowAboveMaximumIsBadField() {
        #expect(decodeError(open(window: Limits.maxWindow + 1)) == .badField)
        #expect(decodeError(open(window: .max)) == .badField)
        #expect(decodeError(open(window: Limits.maxWindow)) == nil)
    }

    @Test func openResumeBeyondCountIsBadField() {
        #expect(decodeError(open(count: 10, resumeFrom: 11)) == .badField)
        #expect(decodeError(open(count: 10, resumeFrom: .max)) == .badField)
        #expect(decodeError(open(count: 10, resumeFrom: 10)) == nil)
        // count 0 resumes a session whatever its n, so any resume point passes the decoder.
        #expect(decodeError(open(count: 0, resumeFrom: 12_345)) == nil)
    }

    // MARK: badField: ACK

    @Test func ackCumulativeAboveHighestIsBadField() {
        #expect(decodeError(ack(cumulative: 101, highest: 100)) == .badField)
        #expect(decodeError(ack(cumulative: 100, highest: 100)) == nil)
    }

    @Test func ackUnorderedRangesAreBadField() {
        #expect(decodeError(ack(ranges: [(40, 50), (20, 30)])) == .badField)
        #expect(decodeError(ack(ranges: [(20, 30), (40, 50)])) == nil)
    }

    @Test func ackOverlappingRangesAreBadField() {
        #expect(decodeError(ack(ranges: [(20, 30), (25, 35)])) == .badField)
        #expect(decodeError(ack(ranges: [(20, 30), (20, 30)])) == .badField)
    }

    @Test func ackAdjacentRangesAreBadField() {
        #expect(decodeError(ack(ranges: [(20, 30), (30, 40)])) == .badField)
        #expect(decodeError(ack(ranges: [(20, 30), (31, 40)])) == nil)
    }

    @Test func ackEmptyOrInvertedRangeIsBadField() {
        #expect(decodeError(ack(ranges: [(20, 20)])) == .badField)
        #expect(decodeError(ack(ranges: [(30, 20)])) == .badField)
        #expect(decodeError(ack(ranges: [(20, 21)])) == nil)
    }

    @Test func ackRangeOutsideCumulativeToHighestIsBadField() {
        #expect(decodeError(ack(cumulative: 10, highest: 100, ranges: [(90, 101)])) == .badField)   // beyond highest
        #expect(decodeError(ack(cumulative: 10, highest: 100, ranges: [(100, 101)])) == .badField)
        #expect(decodeError(ack(cumulative: 10, highest: 100, ranges: [(9, 12)])) == .badField)     // below cumulative
        #expect(decodeError(ack(cumulative: 10, highest: 100, ranges: [(10, 100)])) == nil)         // exactly [cum, highest)
    }

    @Test func ack33RangesIsBadField() {
        let ranges33: [(UInt32, UInt32)] = (0..<33).map { (i: Int) -> (UInt32, UInt32) in (UInt32(100 + 3 * i), UInt32(101 + 3 * i)) }
        let bytes = ack(cumulative: 0, highest: 1000, ranges: ranges33)
        #expect(bytes.count == AckMessage.size(rangeCount: 33))
        #expect(decodeError(bytes) == .badField)
        #expect(decodeError(ack(cumulative: 0, highest: 1000, ranges: Array(ranges33.prefix(32)))) == nil)
    }

    @Test func ackDoneWithRangesIsBadField() {
        #expect(decodeError(ack(flags: 0x01, cumulative: 10, highest: 100, ranges: [(20, 30)])) == .badField)
    }

    @Test func ackDoneBelowHighestIsBadField() {
        #expect(decodeError(ack(flags: 0x01, cumulative: 10, highest: 100)) == .badField)
        #expect(decodeError(ack(flags: 0x01, cumulative: 100, highest: 100)) == nil)
    }

    @Test func ackDoneWithProbeIsBadField() {
        #expect(decodeError(ack(flags: 0x03, cumulative: 100, highest: 100)) == .badField)
        #expect(decodeError(ack(flags: 0x02, cumulative: 100, highest: 100)) == nil)
    }

    @Test(arguments: [UInt8(0x04), 0x08, 0x10, 0x80, 0xFC, 0x05])
    func ackUnknownFlagBitsAreBadField(flags: UInt8) {
        #expect(decodeError(ack(flags: flags, cumulative: 10, highest: 100)) == .badField)
    }

    // MARK: badField: DATA

    /// A DATA with count 0 cannot be well-sized: 24 bytes is below DATA's minimum of 28, so the
    /// decoder reports it as badLength (before any field check), as it does for count 0 in a
    /// 28-byte datagram. Either way it is rejected.
    @Test func dataCountZeroIsRejectedAsBadLength() {
        var b = DatagramBuilder(type: 0x82)
        b.u32(1); b.u32(0); b.u32(1000); b.u32(0); b.u16(0)
        #expect(b.sealed().count == 24)
        #expect(decodeError(b.sealed()) == .badLength)
        #expect(decodeError(data(numbers: 1, count: 0)) == .badLength)
    }

    /// A DATA with count 295 cannot fit: with its 1,204 bytes it is badSize, and with count 295 in
    /// a 1,200-byte datagram the length disagrees (badLength).
    @Test func dataCount295IsRejected() {
        #expect(decodeError(data(numbers: 295)) == .badSize)
        #expect(decodeError(data(numbers: 294, count: 295)) == .badLength)
    }

    @Test func dataBeyondTotalIsBadField() {
        #expect(decodeError(data(total: 1000, index: 998, numbers: 3)) == .badField)
        #expect(decodeError(data(total: 1000, index: 1000, numbers: 1)) == .badField)
        #expect(decodeError(data(total: 0, index: 0, numbers: 1)) == .badField)
        // No wrap-around: index + count is computed without overflow.
        #expect(decodeError(data(total: .max, index: .max, numbers: 1)) == .badField)
        #expect(decodeError(data(total: .max, index: .max - 294, numbers: 294)) == nil)
        #expect(decodeError(data(total: .max, index: .max - 293, numbers: 294)) == .badField)
        #expect(decodeError(data(total: 1000, index: 997, numbers: 3)) == nil)
    }

    // MARK: badField: TRAILER, REJECT

    @Test func trailerSumAboveTotalTimesMaxIsBadField() {
        #expect(decodeError(trailer(total: 3, sum: 3 * UInt64(UInt32.max) + 1)) == .badField)
        #expect(decodeError(trailer(total: 3, sum: 3 * UInt64(UInt32.max))) == nil)
        #expect(decodeError(trailer(total: .max, sum: .max)) == .badField)
        #expect(decodeError(trailer(total: .max, sum: UInt64(UInt32.max) * UInt64(UInt32.max))) == nil)
    }

    @Test func trailerTotalZeroIsBadField() {
        #expect(decodeError(trailer(total: 0, sum: 0)) == .badField)
        #expect(decodeError(trailer(total: 1, sum: 0)) == nil)
    }

    @Test func rejectUnknownReasonIsBadField() {
        #expect(decodeError(reject(reason: 0)) == .badField)
        #expect(decodeError(reject(reason: 6)) == .badField)
        #expect(decodeError(reject(reason: 0xFF)) == .badField)
        for r in RejectReason.allCases { #expect(decodeError(reject(reason: r.rawValue)) == nil) }
    }

    /// Every DecodeError case is produced by at least one input above.
    @Test func everyCaseIsReachable() {
        let produced: Set<DecodeError> = [
            decodeError([0]), decodeError({ var d = data(numbers: 1); d[5] ^= 0x10; return d }()), decodeError(open(version: 2)),
            decodeError({ var b = DatagramBuilder(type: 0x03); b.zeros(20); return b.sealed() }()),
            decodeError(data(numbers: 3, count: 2)), decodeError(open(window: 1)),
        ].compactMap { $0 }.reduce(into: []) { $0.insert($1) }
        #expect(produced == Set(DecodeError.allCases))
    }
}
