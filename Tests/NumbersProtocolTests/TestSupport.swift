@testable import NumbersProtocol

// Shared helpers for the NumbersProtocol tests: an independent bitwise CRC-32C, a raw datagram
// builder (fields, then a correct CRC), and owned copies of decoded messages (the decoder's views
// borrow the input buffer, so tests copy them out before comparing).

/// Bitwise CRC-32C (reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF), written from
/// the definition and sharing no code or tables with `CRC32C`.
func referenceCRC32C<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    }
    return c ^ 0xFFFF_FFFF
}

/// Writes fields big-endian, exactly as the layouts in Messages.swift document them, and seals the
/// datagram with a correct CRC so that a test reaches the decoder's later checks.
struct DatagramBuilder {
    var bytes: [UInt8] = []

    init() {}
    init(version: UInt8 = Wire.version, type: UInt8) { bytes = [version, type] }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for s in stride(from: 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt16(s))) } }
    mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(s))) } }
    mutating func clientID(_ id: ClientID) { u64(id.high); u64(id.low) }
    mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }

    /// The bytes followed by their CRC-32C, big-endian.
    func sealed() -> [UInt8] {
        var out = DatagramBuilder()
        out.bytes = bytes
        out.u32(referenceCRC32C(bytes))
        return out.bytes
    }
}

struct OwnedAck: Equatable {
    var flags: AckMessage.Flags
    var tag: UInt32
    var clientID: ClientID
    var token: UInt64
    var ackSeq: UInt32
    var cumulative: UInt32
    var highest: UInt32
    var ranges: [IndexRange]
}

struct OwnedData: Equatable {
    var tag: UInt32
    var echo: UInt32
    var total: UInt32
    var index: UInt32
    var numbers: [UInt32]
}

/// A decoded message with its views copied out of the datagram.
enum Decoded: Equatable {
    case open(OpenMessage)
    case ack(OwnedAck)
    case challenge(ChallengeMessage)
    case data(OwnedData)
    case trailer(TrailerMessage)
    case reject(RejectMessage)

    var data: OwnedData? { if case .data(let d) = self { return d }; return nil }
    var ack: OwnedAck? { if case .ack(let a) = self { return a }; return nil }
    var open: OpenMessage? { if case .open(let o) = self { return o }; return nil }
    var challenge: ChallengeMessage? { if case .challenge(let c) = self { return c }; return nil }
    var trailer: TrailerMessage? { if case .trailer(let t) = self { return t }; return nil }
    var reject: RejectMessage? { if case .reject(let r) = self { return r }; return nil }
}

func decode(_ bytes: [UInt8]) -> Result<Decoded, DecodeError> {
    bytes.withUnsafeBytes { raw in
        WireDecoder.decode(raw).map { message -> Decoded in
            switch message {
            case .open(let m): return .open(m)
            case .ack(let m):
                return .ack(OwnedAck(flags: m.flags, tag: m.tag, clientID: m.clientID, token: m.token, ackSeq: m.ackSeq,
                                     cumulative: m.cumulative, highest: m.highest, ranges: Array(m.ranges)))
            case .challenge(let m): return .challenge(m)
            case .data(let m):
                return .data(OwnedData(tag: m.tag, echo: m.echo, total: m.total, index: m.index, numbers: Array(m.numbers)))
            case .trailer(let m): return .trailer(m)
            case .reject(let m): return .reject(m)
            }
        }
    }
}

/// The decoded message, or nil if the bytes do not decode.
func decoded(_ bytes: [UInt8]) -> Decoded? { try? decode(bytes).get() }

/// The decode error, or nil if the bytes decode.
func decodeError(_ bytes: [UInt8]) -> DecodeError? {
    if case .failure(let e) = decode(bytes) { return e }
    return nil
}

private func encodeWith(_ body: (UnsafeMutableRawBufferPointer) -> Int) -> [UInt8] {
    var buffer = [UInt8](repeating: 0xEE, count: Limits.maxDatagramSize)
    let n = buffer.withUnsafeMutableBytes(body)
    return Array(buffer[0..<n])
}

func encoded(_ m: OpenMessage) -> [UInt8] { encodeWith { WireEncoder.encode(m, into: $0) } }
func encoded(_ m: ChallengeMessage) -> [UInt8] { encodeWith { WireEncoder.encode(m, into: $0) } }
func encoded(_ m: TrailerMessage) -> [UInt8] { encodeWith { WireEncoder.encode(m, into: $0) } }
func encoded(_ m: RejectMessage) -> [UInt8] { encodeWith { WireEncoder.encode(m, into: $0) } }

func encodedAck(flags: AckMessage.Flags = [], tag: UInt32, clientID: ClientID, token: UInt64 = 0, ackSeq: UInt32,
                cumulative: UInt32, highest: UInt32, ranges: [IndexRange] = []) -> [UInt8] {
    ranges.withUnsafeBufferPointer { rb in
        let m = AckMessage(flags: flags, tag: tag, clientID: clientID, token: token, ackSeq: ackSeq,
                           cumulative: cumulative, highest: highest, ranges: AckRanges(rb))
        return encodeWith { WireEncoder.encode(m, into: $0) }
    }
}

func encodedData(tag: UInt32, echo: UInt32 = 0, total: UInt32, index: UInt32, numbers: [UInt32]) -> [UInt8] {
    encodeWith {
        WireEncoder.encodeData(tag: tag, echo: echo, total: total, index: index, count: numbers.count, into: $0) { numbers[$0] }
    }
}

/// Numbers `range` of `generator`'s sequence.
func sequenceNumbers(_ generator: SequenceGenerator, _ range: Range<UInt32>) -> [UInt32] {
    range.map { generator.number(at: $0) }
}

let testClientA = ClientID(high: 0x1111_2222_3333_4444, low: 0x8555_6666_7777_8888)
let testClientB = ClientID(high: 0x9999_AAAA_BBBB_4CCC, low: 0x8DDD_EEEE_FFFF_0001)
