/// What a shared store holds for one session: enough for another server process to take it over
/// when the one serving it dies or the client moves. The serving process keeps the live session
/// in memory; this is refreshed at a bounded rate, so its send state may lag behind the truth, and
/// the process that adopts it continues from what the client reports (see `ServerEngine.adopt`).
///
/// Times are on the clock all servers share (nanoseconds since the Unix epoch).
package struct SessionCheckpoint: Hashable, Sendable {
    package var clientID: ClientID
    package var seed: UInt64
    package var total: UInt32
    package var window: UInt32
    /// The tag of the client process last heard, and the one it replaced (0 when none).
    package var tag: UInt32
    package var retiredTag: UInt32
    package var address: PeerAddress
    /// Every index below this was acknowledged.
    package var acknowledged: UInt32
    /// The running checksum of every index sent so far (`checksum.count` of them).
    package var checksum: SequenceChecksum
    package var lastHeard: Instant

    package init(clientID: ClientID, seed: UInt64, total: UInt32, window: UInt32, tag: UInt32, retiredTag: UInt32 = 0,
                address: PeerAddress, acknowledged: UInt32, checksum: SequenceChecksum, lastHeard: Instant) {
        self.clientID = clientID; self.seed = seed; self.total = total; self.window = window
        self.tag = tag; self.retiredTag = retiredTag; self.address = address
        self.acknowledged = acknowledged; self.checksum = checksum; self.lastHeard = lastHeard
    }

    /// The checkpoint of a live session.
    package init(of s: ServerSession) {
        self.init(clientID: s.clientID, seed: s.seed, total: s.total, window: s.window, tag: s.tag,
                  retiredTag: s.hasRetiredTag ? s.retiredTag : 0, address: s.address,
                  acknowledged: s.acknowledged, checksum: s.checksum, lastHeard: s.lastHeard)
    }

    package var sentThrough: UInt32 { checksum.count }

    // MARK: Encoding

    /// Format version, first byte of every encoding.
    package static let version: UInt8 = 1
    /// version 1, clientID 16, seed 8, total 4, window 4, tag 4, retiredTag 4, family 1, port 2,
    /// address 16 (as two u64), acknowledged 4, checksum count 4, crc 4, sum 8, lastHeard 8, crc32c 4.
    package static let size = 92
    /// Offset of `lastHeard` in the encoding: a store's script may compare it without decoding.
    package static let lastHeardOffset = 80

    package func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.size)
        bytes.withUnsafeMutableBytes { raw in
            var w = ByteWriter(raw)
            w.u8(Self.version)
            w.clientID(clientID)
            w.u64(seed)
            w.u32(total); w.u32(window); w.u32(tag); w.u32(retiredTag)
            w.u8(address.family.rawValue); w.u16(address.port); w.u64(address.high); w.u64(address.low)
            w.u32(acknowledged)
            w.u32(checksum.count); w.u32(checksum.crcValue); w.u64(checksum.sum)
            precondition(w.offset == Self.lastHeardOffset)
            w.u64(lastHeard.nanoseconds)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<w.offset]))
            w.u32(crc)
            precondition(w.offset == Self.size)
        }
        return bytes
    }

    /// Decodes and validates what a store returned: nil unless it is exactly a checkpoint of this
    /// version, intact, and self-consistent.
    package init?(decoding bytes: [UInt8]) {
        guard bytes.count == Self.size, bytes[0] == Self.version else { return nil }
        let decoded: SessionCheckpoint? = bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, at: Self.size - 4)
            guard r.u32() == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(Self.size - 4)])) else { return nil }
            r = ByteReader(raw, at: 1)
            let clientID = r.clientID()
            let seed = r.u64()
            let total = r.u32(), window = r.u32(), tag = r.u32(), retiredTag = r.u32()
            guard let family = PeerAddress.Family(rawValue: r.u8()) else { return nil }
            let port = r.u16()
            let address = PeerAddress(family: family, port: port, high: r.u64(), low: r.u64())
            let acknowledged = r.u32()
            let count = r.u32(), crc = r.u32(), sum = r.u64()
            let lastHeard = Instant(nanoseconds: r.u64())
            guard total > 0, acknowledged <= count, count <= total,
                  window >= Limits.minWindow, window <= Limits.maxWindow else { return nil }
            return SessionCheckpoint(clientID: clientID, seed: seed, total: total, window: window, tag: tag,
                                     retiredTag: retiredTag, address: address, acknowledged: acknowledged,
                                     checksum: SequenceChecksum(crcValue: crc, sum: sum, count: count), lastHeard: lastHeard)
        }
        guard let decoded else { return nil }
        self = decoded
    }
}
