/// Everything the server keeps for one client: a fixed-size value (166 bytes) plus a retransmission queue allocated
/// only once the client asks for something again, whatever n is.
/// The numbers themselves are never stored: any index is recomputed from the seed.
public struct ServerSession: Sendable {
    // Fields are grouped by size (16, 8 and 4 bytes, then flags) so that the record has no
    // padding: it is what a server holds per client, 100,000 times over.
    public let clientID: ClientID
    public let seed: UInt64
    /// The address proven to receive this session's datagrams; all sends go here.
    public var address: PeerAddress
    /// Running checksum of indices `0..<checksum.count`; it only ever grows, one index at a time,
    /// as each index is first sent, so the trailer costs nothing extra and a rewind is free.
    public var checksum = SequenceChecksum()
    /// Ranges the client asked to have re-sent.
    public var pending = PendingRanges()
    public var lastHeard: Instant
    public var nextSendAt: Instant
    /// The deadline of this session's live entry in the server's timer heap. Per process: it never
    /// leaves it, since what another process takes over is a `SessionCheckpoint`, which has none.
    public var scheduledAt: Instant = .never

    /// n, the length of the sequence.
    public let total: UInt32
    /// The client's tag, echoed in every datagram to it.
    public var tag: UInt32
    /// The tag of the process this one replaced: its late datagrams are ignored.
    public var retiredTag: UInt32 = 0
    /// min(server window, the client's advertised window).
    public var window: UInt32
    /// Every index below this is acknowledged.
    public var acknowledged: UInt32 = 0
    /// The next index to send in sequence order (rewound by a resume or a probe).
    public var cursor: UInt32 = 0
    /// Newest ackSeq seen from the client, and the newest whose requests have all been sent.
    public var lastAckSeq: UInt32 = 0
    public var drainedAckSeq: UInt32 = 0
    public var stats = SessionStats()

    public var hasRetiredTag = false
    /// The trailer is owed: sent at once (it is not paced), after the last number is first sent or
    /// when a client that has everything, or probes at the end, still lacks it.
    public var trailerOwed = false

    public init(clientID: ClientID, seed: UInt64, total: UInt32, tag: UInt32, window: UInt32, address: PeerAddress, now: Instant) {
        self.clientID = clientID; self.seed = seed; self.total = total; self.tag = tag
        self.window = window; self.address = address; self.lastHeard = now; self.nextSendAt = now
    }

    /// One past the highest index ever sent.
    public var sentThrough: UInt32 { checksum.count }
    public var generator: SequenceGenerator { SequenceGenerator(seed: seed) }
    /// The window's upper edge: nothing at or beyond it may be sent.
    public var windowEnd: UInt32 { UInt32(min(UInt64(acknowledged) + UInt64(window), UInt64(total))) }

    /// Whether a DATA datagram may be sent now (pacing aside).
    public var hasDataToSend: Bool {
        if let first = pending.first, first.start < windowEnd { return true }
        return cursor < windowEnd
    }
}

/// What the server did for one session, reported when the session ends.
public struct SessionStats: Sendable, Hashable {
    public var dataSent: UInt32 = 0
    public var retransmittedDatagrams: UInt32 = 0
    public var trailersSent: UInt32 = 0
    public var acksReceived: UInt32 = 0
    public var rangesRequested: UInt32 = 0
    public var resumes: UInt32 = 0
    public var probes: UInt32 = 0
    public init() {}
}
