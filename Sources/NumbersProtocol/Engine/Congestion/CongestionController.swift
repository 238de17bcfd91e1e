/// The seam for congestion controllers: the server tells a session's controller what it sent and
/// what the client's ACKs say; the controller answers with a pacing rate and a window. A second
/// controller is one new type conforming to this protocol plus one case in `CongestionControl`.
///
/// A controller is a reference, allocated only when a session first sends at full speed
/// (`ServerConfig.interval == 0`), so paced sessions at scale carry no controller state at all.
public protocol CongestionController: AnyObject {
    /// A DATA datagram of `bytes` bytes left at `now` with `numbers` numbers ending at index
    /// `end`, of which `newNumbers` are sent for the first time.
    func onSent(bytes: Int, numbers: UInt32, newNumbers: UInt32, end: UInt32, now: Instant)
    /// An ACK arrived: every index below `cumulative` is held, and the client has seen indices
    /// up to `highest`. Each ACK's echo of the stream position gives the round-trip samples.
    func onAck(cumulative: UInt32, highest: UInt32, now: Instant)
    /// The client reported `numbers` numbers missing for the first time: they lie above
    /// `reportedThrough`, so each is counted once, however often it is asked for again.
    func onLoss(numbers: UInt32, now: Instant)
    /// One past the highest index the client has reported seeing (before the ACK being handled):
    /// gaps below it were reported before.
    var reportedThrough: UInt32 { get }
    /// The session cannot send a new number until the client's window moves (or it has sent the
    /// whole stream): what it sends until then measures the client, not the path.
    func onFlowLimited()
    /// The session will send the stream again from `position` (a probe said everything above it
    /// was lost): nothing beyond it is in flight any more.
    func onRewind(to position: UInt32)
    /// Bytes per second to pace DATA at; infinite sends the next DATA with no gap.
    var pacingRate: Double { get }
    /// Bytes the controller lets be in flight (an estimate of twice the path's bandwidth-delay
    /// product); 0 while it has no estimate, and then nothing is held.
    var window: Int { get }
    /// More than `window` is in flight: the session sends nothing more until an ACK says some of
    /// it arrived (or `CongestionTable.windowHold` passes). Pacing alone cannot bound the queue
    /// while the bandwidth estimate is too high.
    var isWindowFull: Bool { get }
    var snapshot: CongestionSnapshot { get }
    /// The state once after each change of phase (nil otherwise), for trace events.
    func takeTransition() -> CongestionSnapshot?
    /// What a new session from the same host may start from (`PathEnsembles`); nil before the
    /// controller has a round trip to share, or if it shares nothing.
    var sharedPath: SharedPath? { get }
    /// The session is gone: the controller takes back what it told its host's sessions.
    func onRemoved()
}

extension CongestionController {
    public var sharedPath: SharedPath? { nil }
    /// Without it every gap an ACK asks for counts as a new loss.
    public var reportedThrough: UInt32 { 0 }
    public func onFlowLimited() {}
    public func onRemoved() {}
}

/// Which controller a server runs (`-cc`).
public enum CongestionControl: String, Sendable, Equatable, CaseIterable {
    /// No controller: DATA goes as fast as the window allows (or at `-interval`).
    case none
    /// The model-based controller (`ModelController`).
    case model

    /// A new controller for one session, or nil for `none`. `shared` is what live sessions from
    /// the same host have learnt of the path (`PathEnsembles`).
    func makeController(now: Instant, shared: SharedPath?, host: HostBandwidth?) -> (any CongestionController)? {
        switch self {
        case .none: return nil
        case .model: return ModelController(now: now, shared: shared, host: host)
        }
    }
}

/// A controller's state, as counters and trace events report it.
public struct CongestionSnapshot: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable { case startup, drain, probeUp = "probe-up", probeDown = "probe-down", cruise }
    public var phase: Phase
    /// Bytes per second.
    public var pacingRate: Double
    /// The bottleneck bandwidth estimate, bytes per second.
    public var bandwidth: Double
    public var minRTT: Nanoseconds?
    public var window: Int
    /// The long-run fraction of numbers lost without a queue to blame (what the user injected).
    public var backgroundLoss: Double
    public init(phase: Phase, pacingRate: Double, bandwidth: Double, minRTT: Nanoseconds?, window: Int, backgroundLoss: Double) {
        self.phase = phase; self.pacingRate = pacingRate; self.bandwidth = bandwidth; self.minRTT = minRTT
        self.window = window; self.backgroundLoss = backgroundLoss
    }
}
