/// The server's tunables, each with the default the executable uses and a named bound.
public struct ServerConfig: Sendable, Equatable {
    /// Time between DATA datagrams of one session; 0 sends as fast as the window allows.
    public var interval: Nanoseconds = .seconds(1 as UInt64)
    /// Numbers per DATA datagram, 1…`Limits.maxNumbersPerDatagram`.
    public var batch: Int = 1
    /// Most numbers outstanding beyond the client's cumulative ACK.
    public var window: UInt32 = Self.defaultWindow
    /// The largest window: memory is spent only on what arrives out of order, and a window that
    /// holds the whole transfer means a lost datagram at its left edge never stalls the stream.
    public static let defaultWindow = Limits.maxWindow
    /// A session is forgotten this long after the last datagram from its client.
    public var sessionTTL: Nanoseconds = .seconds(30 as UInt64)
    /// Most concurrent sessions; an OPEN beyond it is refused with `serverFull`.
    public var maxSessions: Int = 250_000
    /// How long an address-validation token stays valid (one to two periods).
    public var tokenPeriod: Nanoseconds = .seconds(60 as UInt64)
    /// The congestion controller of sessions sending at full speed (`interval` 0). The library's
    /// default keeps the engine's behaviour plain for tests and figures, as `numbers-server` does.
    public var congestionControl: CongestionControl = .none
    /// A send more than this after its paced time counts as late.
    public var lateThreshold: Nanoseconds = .milliseconds(50)
    /// Lifecycle events kept for `pollEvent` before further ones are dropped (and counted).
    public static let maxSessionEvents = 65_536

    public init() {}

    /// Throws for the first bad value; the engine refuses (traps on) a configuration that throws.
    public func validate() throws(ConfigurationError) {
        guard (1...Limits.maxNumbersPerDatagram).contains(batch) else { throw .batchOutOfRange(batch) }
        guard (Limits.minWindow...Limits.maxWindow).contains(window) else { throw .windowOutOfRange(window) }
        guard window >= UInt32(batch) else { throw .windowBelowBatch(window: window, batch: batch) }
        guard sessionTTL.value > 0 else { throw .notPositive(setting: "sessionTTL") }
        guard maxSessions >= 1 else { throw .maxSessionsBelowOne(maxSessions) }
    }
}
