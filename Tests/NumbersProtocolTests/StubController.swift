@testable import NumbersProtocol

/// A controller whose answers a test sets, and that keeps what the table told it: the one stand-in
/// for the tests of `CongestionTable` (reports to a host's ensemble, losses, rescheduling).
final class StubController: CongestionController {
    var pacingRate: Double
    /// What `pacingRate` becomes at the next ACK; nil leaves it.
    var rateAfterAck: Double?
    var window: Int
    var isWindowFull = false
    var phase: CongestionSnapshot.Phase
    var sharedPath: SharedPath?
    /// Numbers reported lost, in all.
    private(set) var lost: UInt32 = 0
    private(set) var reportedThrough: UInt32 = 0

    init(rate: Double = 1_500_000, window: Int = 0, phase: CongestionSnapshot.Phase = .startup) {
        pacingRate = rate
        self.window = window
        self.phase = phase
    }

    func onSent(bytes: Int, numbers: UInt32, newNumbers: UInt32, end: UInt32, now: Instant) {}
    func onAck(cumulative: UInt32, highest: UInt32, now: Instant) {
        reportedThrough = max(reportedThrough, highest, cumulative)
        if let rateAfterAck { pacingRate = rateAfterAck }
    }
    func onLoss(numbers: UInt32, now: Instant) { lost += numbers }
    func onRewind(to position: UInt32) {}
    var snapshot: CongestionSnapshot {
        CongestionSnapshot(phase: phase, pacingRate: pacingRate, bandwidth: 0, minRTT: nil, window: window, backgroundLoss: 0)
    }
    func takeTransition() -> CongestionSnapshot? { nil }
}
