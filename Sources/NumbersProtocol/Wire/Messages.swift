/// OPEN, client to server: create a session, or resume one from `resumeFrom`.
///
/// Layout (50 bytes): version u8, type u8, tag u32, clientID 16 bytes, count u32, resumeFrom u32,
/// window u32, token u64, ackSeq u32, crc32c u32.
public struct OpenMessage: Hashable, Sendable {
    public static let size = 50
    /// Chosen by the client; echoed in every server datagram so one socket can carry many clients.
    public var tag: UInt32
    public var clientID: ClientID
    /// How many numbers the client wants; 0 resumes an existing session whatever its count.
    public var count: UInt32
    /// The first index the client lacks; the server (re)sends from here.
    public var resumeFrom: UInt32
    /// How many numbers beyond its cumulative ACK the client can buffer.
    public var window: UInt32
    /// The server's address-validation token from a CHALLENGE, or 0.
    public var token: UInt64
    /// The client's ACK sequence number at the time of sending (see AckMessage.ackSeq).
    public var ackSeq: UInt32

    public init(tag: UInt32, clientID: ClientID, count: UInt32, resumeFrom: UInt32, window: UInt32, token: UInt64, ackSeq: UInt32) {
        self.tag = tag; self.clientID = clientID; self.count = count; self.resumeFrom = resumeFrom
        self.window = window; self.token = token; self.ackSeq = ackSeq
    }
}

/// ACK, client to server: cumulative acknowledgement, the missing ranges the client asks for, and
/// the highest index it has seen.
///
/// Layout (48 + 8k bytes): version u8, type u8, flags u8, tag u32, clientID 16, token u64,
/// ackSeq u32, cumulative u32, highest u32, rangeCount u8, k × (start u32, end u32), crc32c u32.
public struct AckMessage {
    /// Bytes before the ranges.
    public static let baseSize = 44
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The client holds and has verified the whole sequence; the server may forget the session.
        public static let done = Flags(rawValue: 1)
        /// Sent after silence: everything from `highest` up that the server sent is lost.
        public static let probe = Flags(rawValue: 2)
        public static let known: Flags = [.done, .probe]
    }
    public var flags: Flags
    /// The same tag as the client's OPEN: ACKs of an earlier client process are told apart by it.
    public var tag: UInt32
    public var clientID: ClientID
    public var token: UInt64
    /// Increments with every ACK or OPEN the client sends; the server echoes the newest one whose
    /// requests it has finished sending, which tells the client when a retransmission is overdue.
    public var ackSeq: UInt32
    /// Every index below this has been received.
    public var cumulative: UInt32
    /// The end of what the client knows the server has sent: one past the highest index received,
    /// or n once the TRAILER has arrived. Nothing at or above it has been received.
    public var highest: UInt32
    /// The requested ranges, ascending, disjoint and non-adjacent, inside [cumulative, highest).
    public var ranges: AckRanges

    public init(flags: Flags, tag: UInt32, clientID: ClientID, token: UInt64, ackSeq: UInt32, cumulative: UInt32, highest: UInt32, ranges: AckRanges) {
        self.flags = flags; self.tag = tag; self.clientID = clientID; self.token = token; self.ackSeq = ackSeq
        self.cumulative = cumulative; self.highest = highest; self.ranges = ranges
    }

    public static func size(rangeCount: Int) -> Int { baseSize + 8 * rangeCount + Limits.checksumSize }
}

/// The ranges of an ACK, viewed in place in the datagram (or in a caller's array when encoding):
/// valid only while the buffer it was decoded from is.
public struct AckRanges: RandomAccessCollection {
    @usableFromInline let bytes: UnsafeRawBufferPointer?
    @usableFromInline let pointer: UnsafeBufferPointer<IndexRange>?

    /// A view of `count` big-endian (start, end) pairs.
    public init(wireBytes: UnsafeRawBufferPointer) { bytes = wireBytes; pointer = nil }
    /// A view of ranges in memory.
    public init(_ ranges: UnsafeBufferPointer<IndexRange>) { bytes = nil; pointer = ranges }
    public static var empty: AckRanges { AckRanges(UnsafeBufferPointer(start: nil, count: 0)) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { pointer?.count ?? (bytes!.count / 8) }

    @inlinable public subscript(i: Int) -> IndexRange {
        if let pointer { return pointer[i] }
        let b = bytes!
        return IndexRange(UInt32(bigEndian: b.loadUnaligned(fromByteOffset: 8 * i, as: UInt32.self)),
                          UInt32(bigEndian: b.loadUnaligned(fromByteOffset: 8 * i + 4, as: UInt32.self)))
    }
}

/// CHALLENGE, server to client: the token that proves the client receives at its address.
/// Layout (18 bytes): version u8, type u8, tag u32, token u64, crc32c u32.
public struct ChallengeMessage: Hashable, Sendable {
    public static let size = 18
    public var tag: UInt32
    public var token: UInt64
    public init(tag: UInt32, token: UInt64) { self.tag = tag; self.token = token }
}

/// DATA, server to client: `numbers.count` consecutive numbers starting at `index`.
/// Layout (24 + 4c bytes): version u8, type u8, tag u32, echo u32, total u32, index u32, count u16,
/// c × number u32, crc32c u32.
public struct DataMessage {
    public static let headerSize = 20
    public var tag: UInt32
    /// The newest client ackSeq whose requested ranges the server has finished sending.
    public var echo: UInt32
    /// n: the length of the whole sequence.
    public var total: UInt32
    public var index: UInt32
    /// The numbers, big-endian on the wire, viewed in place.
    public var numbers: WireNumbers
    /// The numbers' CRC contribution and sum, when the decoder took them while checking the CRC.
    public var digest: NumbersDigest?

    public init(tag: UInt32, echo: UInt32, total: UInt32, index: UInt32, numbers: WireNumbers, digest: NumbersDigest? = nil) {
        self.tag = tag; self.echo = echo; self.total = total; self.index = index; self.numbers = numbers
        self.digest = digest
    }

    public static func size(count: Int) -> Int { headerSize + 4 * count + Limits.checksumSize }
}

/// The numbers of a DATA datagram, read in place.
public struct WireNumbers: RandomAccessCollection {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    public init(wireBytes: UnsafeRawBufferPointer) { bytes = wireBytes }
    /// The numbers as they are on the wire: 4 big-endian bytes each.
    public var wireBytes: UnsafeRawBufferPointer { bytes }
    public var startIndex: Int { 0 }
    public var endIndex: Int { bytes.count / 4 }
    @inlinable public subscript(i: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
    }
}

/// TRAILER, server to client: the checksum of the whole sequence.
/// Layout (30 bytes): version u8, type u8, tag u32, echo u32, total u32, sequenceCRC u32, sum u64,
/// crc32c u32.
public struct TrailerMessage: Hashable, Sendable {
    public static let size = 30
    public var tag: UInt32
    public var echo: UInt32
    public var total: UInt32
    /// CRC-32C of the n numbers as big-endian uint32s.
    public var sequenceCRC: UInt32
    /// Their sum; cannot overflow, since (2³²−1)² < 2⁶⁴.
    public var sum: UInt64
    public init(tag: UInt32, echo: UInt32, total: UInt32, sequenceCRC: UInt32, sum: UInt64) {
        self.tag = tag; self.echo = echo; self.total = total; self.sequenceCRC = sequenceCRC; self.sum = sum
    }
}

/// REJECT, server to client. Layout (11 bytes): version u8, type u8, tag u32, reason u8, crc32c u32.
public struct RejectMessage: Hashable, Sendable {
    public static let size = 11
    public var tag: UInt32
    public var reason: RejectReason
    public init(tag: UInt32, reason: RejectReason) { self.tag = tag; self.reason = reason }
}

/// Any decoded datagram. Views inside (ACK ranges, DATA numbers) borrow the input buffer.
public enum Message {
    case open(OpenMessage)
    case ack(AckMessage)
    case challenge(ChallengeMessage)
    case data(DataMessage)
    case trailer(TrailerMessage)
    case reject(RejectMessage)
}
