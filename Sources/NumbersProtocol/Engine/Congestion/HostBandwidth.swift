/// The bandwidth estimates of one host's competing sessions, summed (`PathEnsembles`): what a
/// session that meets a full queue compares its own estimate with. Sessions from one host share
/// its bottleneck, and each paces at the rate its own ACKs showed; a congestion cut to what each
/// delivered keeps their ratios, and probing up by a quarter grows them by the same factor, so
/// nothing by itself drives an early session's large share towards a late one's small share
/// (ten clients of one host: Jain's index 0.889 over 8 seeds in the simulator, a median of about
/// 0.86 on a real link). A session above its host's mean is cut deeper at congestion
/// (`ModelController.aboveMeanShare`), as RFC 9040's ensemble sharing divides what a host's
/// connections learnt among them.
///
/// Only sessions whose last round measured the path count: one held back by its client's window
/// or at its stream's end wants less than its share, and counting it would lower the mean that
/// the others are cut towards (a bulk transfer beside a slow reader would be halved at every
/// overflow for bandwidth the reader cannot take).
///
/// A reference shared by the controllers of one host's sessions (the engine is single-threaded):
/// a controller updates its part when it changes, once per round, with no lookup.
final class HostBandwidth {
    /// The sum of the counted members' estimates, bytes per second.
    private(set) var total: Double = 0
    /// Sessions counted in the mean.
    private(set) var members = 0

    /// A session is counted from now, at `estimate`.
    func enter(at estimate: Double) {
        members += 1
        total += estimate
    }

    /// A counted member's estimate moved from `old` to `new`.
    func update(from old: Double, to new: Double) {
        total += new - old
        // Sums of many differences drift by rounding; the total is never below zero.
        if total < 0 { total = 0 }
    }

    /// A counted member is no longer counted, taking its last estimate with it.
    func leave(from contribution: Double) {
        members -= 1
        assert(members >= 0, "a member left a host it was not counted in")
        update(from: contribution, to: 0)
        if members == 0 { total = 0 }
    }

    /// The counted members' mean estimate, when there are at least two of them.
    var mean: Double? { members >= 2 ? total / Double(members) : nil }
}
