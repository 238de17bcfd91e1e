/// The first two bytes of every datagram: the protocol version, then the message type.
/// Client-to-server types have the high bit clear, server-to-client types have it set.
public enum MessageType: UInt8, Sendable, CaseIterable {
    case open = 0x01
    case ack = 0x02
    case challenge = 0x81
    case data = 0x82
    case trailer = 0x83
    case reject = 0x84
}

public enum Wire {
    /// The only version this implementation speaks. A datagram with any other is dropped.
    public static let version: UInt8 = 1
}

/// A half-open range of sequence indices `[start, end)`, as listed in an ACK.
public struct IndexRange: Hashable, Sendable, CustomStringConvertible {
    public var start: UInt32
    public var end: UInt32
    public init(_ start: UInt32, _ end: UInt32) { self.start = start; self.end = end }
    public var count: UInt32 { end - start }
    public var description: String { "[\(start),\(end))" }
}

/// Why the server refused an OPEN or an ACK. The client prints the reason and stops at once.
public enum RejectReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// No session for this client ID: it expired after its client fell silent, it completed, or it
    /// never existed. The server keeps nothing after expiry, so it cannot tell these apart.
    case unknownSession = 1
    /// An OPEN named a count that differs from the session's.
    case countMismatch = 2
    /// The server holds its maximum number of sessions.
    case serverFull = 3
    /// An OPEN asked to resume from an index the server never sent.
    case invalidResume = 4
    /// The server shares its sessions through a store it cannot reach now, so it cannot agree
    /// with the other servers on a new session (PROTOCOL.md §10).
    case storeUnavailable = 5

    public var description: String {
        switch self {
        case .unknownSession: return "session expired or unknown"
        case .countMismatch: return "the session exists with a different count of numbers"
        case .serverFull: return "server is at its session limit"
        case .invalidResume: return "resume point lies beyond what the server has sent"
        case .storeUnavailable: return "server cannot reach its session store, so it takes no new sessions now"
        }
    }
}
