/// The client's tunables. Timers adapt to the measured round trip and arrival rate; these are
/// their starting points and bounds.
public struct ClientConfig: Sendable, Equatable {
    /// Whether the client may create its session or only resume one.
    public enum Mode: Sendable, Equatable {
        /// Ask for `count` numbers (creating the session, or resuming it if it exists).
        case start(count: UInt32)
        /// Resume an existing session only (a new process given the client ID); if `expected` is
        /// set, the session's n must equal it.
        case resume(expected: UInt32?)
    }

    /// The session's identity, chosen by the client (`ClientID.random()`); a process that restarts
    /// with the same one resumes the session.
    public var clientID: ClientID
    public var mode: Mode
    /// Where every datagram goes; only datagrams from this address are accepted.
    public var server: PeerAddress
    /// Numbers the client can buffer beyond its cumulative ACK (rounded up to a power of two).
    public var window: UInt32 = Self.defaultWindow
    /// The largest window: memory is spent only on what arrives out of order, and a window that
    /// holds the whole transfer means a lost datagram at its left edge never stalls the stream.
    public static let defaultWindow = Limits.maxWindow
    /// First OPEN retry, and the probe timeout before any round trip has been measured.
    public var initialTimeout: Nanoseconds = .milliseconds(100)
    /// Silence allowed while streaming before the server's pace is known (two DATA have not yet
    /// arrived back to back): longer than the station's default 1 s interval.
    public var unknownPaceTimeout: Nanoseconds = .milliseconds(1_500)
    /// The shortest silence treated as loss: below it, timer granularity and scheduling noise
    /// would make probes spurious.
    public var minProbeTimeout: Nanoseconds = .milliseconds(5)
    /// The shortest time a request may take before it is asked for again.
    public var minRequestTimeout: Nanoseconds = .milliseconds(2)
    /// Backoff never waits longer than this between two attempts.
    public var maxBackoff: Nanoseconds = .seconds(1 as UInt64)
    /// With no datagram from the server for this long, the client stops with an error.
    public var giveUpAfter: Nanoseconds = .seconds(60 as UInt64)
    /// How long an acknowledgement may wait for more data before it is sent.
    public var ackDelay: Nanoseconds = .milliseconds(2)
    /// An acknowledgement is sent once the stream has paused this long (or two arrival gaps):
    /// a server blocked on its window waits for exactly this ACK.
    public var ackQuiet: Nanoseconds = .microseconds(250)
    /// On a paced stream the acknowledgement waits up to four arrival gaps, but never longer
    /// than this (the server forgets a session after 30 s of silence by default).
    public var maxAckDelay: Nanoseconds = .seconds(4 as UInt64)
    /// The tag for this process; random by default so a restarted process is told apart.
    public var tag: UInt32

    public init(clientID: ClientID, mode: Mode, server: PeerAddress, tag: UInt32) {
        self.clientID = clientID; self.mode = mode; self.server = server; self.tag = tag
    }

    /// Throws for the first bad value; the engine refuses (traps on) a configuration that throws.
    public func validate() throws(ConfigurationError) {
        if case .start(let n) = mode, n == 0 { throw .countZero }
        guard (Limits.minWindow...Limits.maxWindow).contains(window) else { throw .windowOutOfRange(window) }
        guard giveUpAfter.value > 0 else { throw .notPositive(setting: "giveUpAfter") }
    }
}
