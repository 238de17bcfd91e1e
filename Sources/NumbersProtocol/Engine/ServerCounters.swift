/// What the server engine did, in total. Every dropped datagram is counted under its reason.
public struct ServerCounters: Sendable, Hashable {
    public var datagramsReceived: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    public var decodeErrors: [DecodeError: UInt64] = [:]
    /// Well-formed but not acceptable here: a server-to-client type, a range beyond what was sent,
    /// an ACK for an unknown session, …
    public var invalidDropped: UInt64 = 0
    public var acksReceived: UInt64 = 0
    public var opensReceived: UInt64 = 0
    public var probesReceived: UInt64 = 0
    public var rangesRequested: UInt64 = 0
    public var rangesDroppedFromQueue: UInt64 = 0

    public var datagramsSent: UInt64 = 0
    public var bytesSent: UInt64 = 0
    public var dataSent: UInt64 = 0
    public var numbersSent: UInt64 = 0
    public var retransmittedDatagrams: UInt64 = 0
    public var retransmittedNumbers: UInt64 = 0
    public var trailersSent: UInt64 = 0
    public var challengesSent: UInt64 = 0
    public var rejectsSent: UInt64 = 0
    public var controlDropped: UInt64 = 0
    public var lateSends: UInt64 = 0

    public var sessionsCreated: UInt64 = 0
    public var sessionsResumed: UInt64 = 0
    public var sessionsCompleted: UInt64 = 0
    public var sessionsExpired: UInt64 = 0
    public var migrations: UInt64 = 0
    /// Datagrams of a transfer already completed: a later DONE (the client sends two copies), or
    /// a late copy of its OPEN, which must not start the transfer again.
    public var lateCompletions: UInt64 = 0

    public init() {}

    public var decodeErrorTotal: UInt64 { decodeErrors.values.reduce(0, +) }
}

/// Lifecycle events, for the shell to log.
public enum ServerEvent: Sendable, Hashable {
    case created(ClientID, total: UInt32, address: PeerAddress)
    case resumed(ClientID, from: UInt32, address: PeerAddress)
    /// Taken over from a shared store's checkpoint, continuing from index `from`.
    case adopted(ClientID, from: UInt32, address: PeerAddress)
    case ended(ClientID, total: UInt32, acknowledged: UInt32, reason: EndReason, stats: SessionStats)
    /// The session's client now sends from another address (a NAT rebinding, a resumed process).
    case moved(ClientID, address: PeerAddress)
    /// An OPEN or ACK refused with a REJECT (to `address`, under the datagram's `tag`).
    case refused(reason: RejectReason, tag: UInt32, address: PeerAddress)

    /// `completed`: the client acknowledged everything (DONE); `expired`: `sessionTTL` of silence.
    public enum EndReason: String, Sendable, Hashable { case completed, expired }
}
