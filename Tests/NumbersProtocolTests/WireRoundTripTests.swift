import Testing
@testable import NumbersProtocol

/// Every message type: exact documented size, exact byte layout (built field by field from the
/// layout comments), and a decode that gives back equal fields.
@Suite struct WireRoundTripTests {
    private let id = ClientID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)

    @Test func documentedSizes() {
        #expect(OpenMessage.size == 50)
        #expect(AckMessage.size(rangeCount: 0) == 48)
        #expect(AckMessage.size(rangeCount: 1) == 56)
        #expect(AckMessage.size(rangeCount: Limits.maxAckRanges) == 1_072)
        #expect(ChallengeMessage.size == 18)
        #expect(DataMessage.size(count: 1) == 28)
        #expect(TrailerMessage.size == 30)
        #expect(RejectMessage.size == 11)
        #expect(Limits.maxNumbersPerDatagram == 294)
        #expect(Limits.maxAckRanges == 128)
        #expect(Limits.minWindow == 294)
        #expect(WireDecoder.minimumSize == 11)
    }

    @Test func openRoundTrip() {
        let m = OpenMessage(tag: 0xA1B2_C3D4, clientID: id, count: 0xDEAD_BEEF, resumeFrom: 0x1234_5678,
                            window: Limits.maxWindow, token: 0xFEDC_BA98_7654_3210, ackSeq: 0x0BAD_F00D)
        let bytes = encoded(m)
        #expect(bytes.count == OpenMessage.size)
        var b = DatagramBuilder(type: 0x01)
        b.u32(m.tag); b.clientID(id); b.u32(m.count); b.u32(m.resumeFrom); b.u32(m.window); b.u64(m.token); b.u32(m.ackSeq)
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .open(m))
    }

    @Test(arguments: [0, 1, Limits.maxAckRanges])
    func ackRoundTrip(rangeCount: Int) {
        // Ascending, disjoint, non-adjacent ranges inside [cumulative, highest).
        let ranges: [IndexRange] = (0..<rangeCount).map { (i: Int) -> IndexRange in
            let start = UInt32(1000 + 10 * i)
            return IndexRange(start, start + UInt32(3 + i % 5))
        }
        let highest: UInt32 = 1000 + 10 * UInt32(rangeCount) + 7
        let bytes = encodedAck(flags: [], tag: 0x7777_0001, clientID: id, token: 0x1122_3344_5566_7788, ackSeq: 0xFFFF_FFFE,
                               cumulative: 999, highest: highest, ranges: ranges)
        #expect(bytes.count == AckMessage.size(rangeCount: rangeCount))
        #expect(bytes.count == 48 + 8 * rangeCount)
        var b = DatagramBuilder(type: 0x02)
        b.u8(0); b.u32(0x7777_0001); b.clientID(id); b.u64(0x1122_3344_5566_7788); b.u32(0xFFFF_FFFE)
        b.u32(999); b.u32(highest); b.u8(UInt8(rangeCount))
        for r in ranges { b.u32(r.start); b.u32(r.end) }
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .ack(OwnedAck(flags: [], tag: 0x7777_0001, clientID: id, token: 0x1122_3344_5566_7788,
                                                 ackSeq: 0xFFFF_FFFE, cumulative: 999, highest: highest, ranges: ranges)))
    }

    @Test func ackFlagsRoundTrip() {
        let done = encodedAck(flags: .done, tag: 1, clientID: id, ackSeq: 9, cumulative: 500, highest: 500)
        #expect(done[2] == 0x01)
        #expect(decoded(done)?.ack?.flags == .done)
        let probe = encodedAck(flags: .probe, tag: 1, clientID: id, ackSeq: 9, cumulative: 5, highest: 500,
                               ranges: [IndexRange(5, 6)])
        #expect(probe[2] == 0x02)
        #expect(decoded(probe)?.ack?.flags == .probe)
        #expect(decoded(probe)?.ack?.ranges == [IndexRange(5, 6)])
    }

    @Test func challengeRoundTrip() {
        let m = ChallengeMessage(tag: 0xCAFE_BABE, token: 0x0123_4567_89AB_CDEF)
        let bytes = encoded(m)
        #expect(bytes.count == ChallengeMessage.size)
        var b = DatagramBuilder(type: 0x81)
        b.u32(m.tag); b.u64(m.token)
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .challenge(m))
    }

    @Test func dataRoundTripWithOneNumber() {
        let bytes = encodedData(tag: 0x0000_00AB, echo: 0x0102_0304, total: 1, index: 0, numbers: [0xE220_A839])
        #expect(bytes.count == DataMessage.size(count: 1))
        #expect(bytes.count == 28)
        var b = DatagramBuilder(type: 0x82)
        b.u32(0xAB); b.u32(0x0102_0304); b.u32(1); b.u32(0); b.u16(1); b.u32(0xE220_A839)
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .data(OwnedData(tag: 0xAB, echo: 0x0102_0304, total: 1, index: 0, numbers: [0xE220_A839])))
    }

    @Test func dataRoundTripWithMaximumNumbers() {
        let count = Limits.maxNumbersPerDatagram
        let g = SequenceGenerator(seed: 0x5EED)
        let values = sequenceNumbers(g, 1000..<(1000 + UInt32(count)))
        let bytes = encodedData(tag: 3, echo: 4, total: 2000, index: 1000, numbers: values)
        #expect(count == 294)
        #expect(bytes.count == DataMessage.size(count: count))
        #expect(bytes.count == 1200)
        #expect(bytes.count <= Limits.maxDatagramSize)
        var b = DatagramBuilder(type: 0x82)
        b.u32(3); b.u32(4); b.u32(2000); b.u32(1000); b.u16(UInt16(count))
        for v in values { b.u32(v) }
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .data(OwnedData(tag: 3, echo: 4, total: 2000, index: 1000, numbers: values)))
    }

    /// `WireEncoder.encode(DataMessage)` (from a decoded view) re-encodes to the same bytes.
    @Test func decodedDataReEncodesIdentically() {
        let bytes = encodedData(tag: 9, echo: 8, total: 100, index: 90, numbers: Array(UInt32(1)...10))
        let again: [UInt8] = bytes.withUnsafeBytes { raw in
            guard case .success(.data(let m)) = WireDecoder.decode(raw) else { return [] }
            var out = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
            let n = out.withUnsafeMutableBytes { WireEncoder.encode(m, into: $0) }
            return Array(out[0..<n])
        }
        #expect(again == bytes)
    }

    @Test func trailerRoundTrip() {
        let m = TrailerMessage(tag: 0x1357_9BDF, echo: 0x2468_ACE0, total: 1000, sequenceCRC: 0xA198_06D5, sum: 2_115_044_550_853)
        let bytes = encoded(m)
        #expect(bytes.count == TrailerMessage.size)
        var b = DatagramBuilder(type: 0x83)
        b.u32(m.tag); b.u32(m.echo); b.u32(m.total); b.u32(m.sequenceCRC); b.u64(m.sum)
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .trailer(m))
    }

    @Test(arguments: RejectReason.allCases)
    func rejectRoundTrip(reason: RejectReason) {
        let m = RejectMessage(tag: 0xFFFF_FFFF, reason: reason)
        let bytes = encoded(m)
        #expect(bytes.count == RejectMessage.size)
        var b = DatagramBuilder(type: 0x84)
        b.u32(0xFFFF_FFFF); b.u8(reason.rawValue)
        #expect(bytes == b.sealed())
        #expect(decoded(bytes) == .reject(m))
    }

    /// The generic `encode(Message)` entry point dispatches to the same encodings.
    @Test func genericEncodeDispatches() {
        let open = OpenMessage(tag: 1, clientID: id, count: 2, resumeFrom: 1, window: 300, token: 5, ackSeq: 6)
        let challenge = ChallengeMessage(tag: 2, token: 3)
        let trailer = TrailerMessage(tag: 4, echo: 5, total: 6, sequenceCRC: 7, sum: 8)
        let reject = RejectMessage(tag: 9, reason: .serverFull)
        func viaMessage(_ m: Message) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
            let n = out.withUnsafeMutableBytes { WireEncoder.encode(m, into: $0) }
            return Array(out[0..<n])
        }
        #expect(viaMessage(.open(open)) == encoded(open))
        #expect(viaMessage(.challenge(challenge)) == encoded(challenge))
        #expect(viaMessage(.trailer(trailer)) == encoded(trailer))
        #expect(viaMessage(.reject(reject)) == encoded(reject))
    }
}
