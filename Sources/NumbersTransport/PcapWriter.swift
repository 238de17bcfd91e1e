import NumbersProtocol

/// The -pcap file: classic pcap (microsecond timestamps, LINKTYPE_RAW), each datagram wrapped in
/// a synthesised IPv4 or IPv6 header and a UDP header with correct checksums, so that Wireshark
/// and tshark open it like a capture, and dissect the payload with dissector/numbers.lua.
/// Nothing is captured from the kernel: no root, no tcpdump.
final class PcapWriter {
    /// LINKTYPE_RAW: each packet starts with its IP header, version 4 or 6.
    static let linkType: UInt32 = 101
    static let snapLength: UInt32 = 65_535

    private let file: BufferedFile
    private let local: PeerAddress
    private let originMicros: UInt64
    private let origin: Instant
    private var ipv4Identification: UInt16 = 0

    init(path: String, local: PeerAddress, peer: PeerAddress?, unixMicros: UInt64, origin: Instant) throws(InstrumentError) {
        file = try BufferedFile(path: path)
        self.local = Self.concrete(local, peer: peer)
        self.originMicros = unixMicros
        self.origin = origin
        file.littleEndian32(0xa1b2_c3d4)                    // magic: microsecond timestamps
        file.littleEndian32(UInt32(4) << 16 | 2)            // version 2.4 (minor, major as two u16)
        file.littleEndian32(0)                              // thiszone
        file.littleEndian32(0)                              // sigfigs
        file.littleEndian32(Self.snapLength)
        file.littleEndian32(Self.linkType)
    }

    func close() { file.close() }
    var failure: String? { file.failure }

    /// A socket bound to the wildcard address has no address of its own to show: it is shown as
    /// the loopback address when it talks to loopback, as the wildcard otherwise.
    static func concrete(_ local: PeerAddress, peer: PeerAddress?) -> PeerAddress {
        let wildcard = local.family == .ipv4 ? local.ipv4Value == 0 : (local.high == 0 && local.low == 0)
        guard wildcard, let peer else { return local }
        if peer.family == .ipv4, peer.ipv4Value >> 24 == 127 { return PeerAddress(ipv4: (127, 0, 0, 1), port: local.port) }
        if peer.family == .ipv6, peer.high == 0, peer.low == 1 { return PeerAddress(family: .ipv6, port: local.port, high: 0, low: 1) }
        return local
    }

    func record(_ payload: UnsafeRawBufferPointer, outgoing: Bool, peer: PeerAddress, now: Instant) {
        guard payload.count <= Limits.maxDatagramSize * 2 else { return }
        file.reserve()
        let (source, destination) = outgoing ? (local, peer) : (peer, local)
        let ipv6 = source.family == .ipv6 || destination.family == .ipv6
        let udpLength = 8 + payload.count
        let packetLength = (ipv6 ? 40 : 20) + udpLength
        let micros = originMicros + (now - origin).value / 1_000
        file.littleEndian32(UInt32(truncatingIfNeeded: micros / 1_000_000))
        file.littleEndian32(UInt32(truncatingIfNeeded: micros % 1_000_000))
        file.littleEndian32(UInt32(packetLength))
        file.littleEndian32(UInt32(packetLength))

        let (srcHigh, srcLow) = Self.sixteenBytes(source)
        let (dstHigh, dstLow) = Self.sixteenBytes(destination)
        if ipv6 {
            file.littleEndian32(UInt32(0x6000_0000).byteSwapped)   // version 6, no class or flow label
            file.bigEndian16(UInt16(udpLength))
            file.byte(17)                                          // next header: UDP
            file.byte(64)                                          // hop limit
            withUnsafeBytes(of: (srcHigh.bigEndian, srcLow.bigEndian, dstHigh.bigEndian, dstLow.bigEndian)) { file.bytes($0) }
        } else {
            ipv4Identification &+= 1
            var header: (UInt64, UInt64, UInt32) = (0, 0, 0)
            withUnsafeMutableBytes(of: &header) { h in
                h[0] = 0x45; h[1] = 0
                h[2] = UInt8(packetLength >> 8); h[3] = UInt8(truncatingIfNeeded: packetLength)
                h[4] = UInt8(ipv4Identification >> 8); h[5] = UInt8(truncatingIfNeeded: ipv4Identification)
                h[6] = 0x40; h[7] = 0                              // don't fragment
                h[8] = 64; h[9] = 17                               // TTL, protocol UDP
                h.storeBytes(of: source.ipv4Value.bigEndian, toByteOffset: 12, as: UInt32.self)
                h.storeBytes(of: destination.ipv4Value.bigEndian, toByteOffset: 16, as: UInt32.self)
                let sum = Self.onesComplementSum(UnsafeRawBufferPointer(rebasing: h[0..<20]), initial: 0)
                h.storeBytes(of: (~Self.fold(sum)).bigEndian, toByteOffset: 10, as: UInt16.self)
                file.bytes(UnsafeRawBufferPointer(rebasing: h[0..<20]))
            }
        }

        // UDP, with its checksum over the pseudo-header (addresses, protocol, length).
        var pseudo: UInt64 = 17 + UInt64(udpLength)
        if ipv6 {
            pseudo += Self.wordSum(srcHigh) + Self.wordSum(srcLow) + Self.wordSum(dstHigh) + Self.wordSum(dstLow)
        } else {
            pseudo += UInt64(source.ipv4Value >> 16) + UInt64(source.ipv4Value & 0xffff)
            pseudo += UInt64(destination.ipv4Value >> 16) + UInt64(destination.ipv4Value & 0xffff)
        }
        pseudo += UInt64(source.port) + UInt64(destination.port) + UInt64(udpLength)
        var checksum = ~Self.fold(Self.onesComplementSum(payload, initial: pseudo))
        if checksum == 0 { checksum = 0xffff }                     // 0 means "none" in UDP
        file.bigEndian16(source.port)
        file.bigEndian16(destination.port)
        file.bigEndian16(UInt16(udpLength))
        file.bigEndian16(checksum)
        file.bytes(payload)
    }

    /// The address as 16 bytes (IPv4 as IPv4-mapped IPv6, for a header that mixes families).
    private static func sixteenBytes(_ a: PeerAddress) -> (UInt64, UInt64) {
        a.family == .ipv6 ? (a.high, a.low) : (0, 0xffff_0000_0000 | UInt64(a.ipv4Value))
    }

    private static func wordSum(_ w: UInt64) -> UInt64 {
        (w >> 48) + ((w >> 32) & 0xffff) + ((w >> 16) & 0xffff) + (w & 0xffff)
    }

    /// The Internet checksum's sum of big-endian 16-bit words (RFC 1071), not yet folded.
    static func onesComplementSum(_ bytes: UnsafeRawBufferPointer, initial: UInt64) -> UInt64 {
        var sum = initial
        var i = 0
        while i + 8 <= bytes.count {
            sum += wordSum(UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        while i + 2 <= bytes.count {
            sum += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt64(bytes[i]) << 8 }
        return sum
    }

    static func fold(_ sum: UInt64) -> UInt16 {
        var s = sum
        while s >> 16 != 0 { s = (s & 0xffff) + (s >> 16) }
        return UInt16(s)
    }
}
