/// The bandwidth estimates of one host's live sessions, summed (`PathEnsembles`): what a session
/// that meets a full queue compares its own estimate with. Sessions from one host share its
/// bottleneck, and each paces at the rate its own ACKs showed; a congestion cut to what each
/// delivered keeps their ratios, and probing up by a quarter grows them by the same factor, so
/// nothing by itself drives an early session's large share towards a late one's small share
/// (ten clients of one host: Jain's index 0.889 over 8 seeds in the simulator, a median of about
/// 0.86 on a real link). A session above its host's mean is cut deeper at congestion
/// (`ModelController.aboveMeanShare`), as RFC 9040's ensemble sharing divides what a host's
/// connections learnt among them.
///
/// A reference shared by the controllers of one host's sessions (the engine is single-threaded):
/// a controller updates its part when its estimate changes, once per round, with no lookup.
public final class HostBandwidth {
    /// The sum of the members' last reported estimates, bytes per second.
    public private(set) var total: Double = 0
    public private(set) var members = 0

    public init() {}

    func join() { members += 1 }

    /// A member's estimate moved from `old` to `new`.
    func update(from old: Double, to new: Double) {
        total += new - old
        // Sums of many differences drift by rounding; the total is never below zero.
        if total < 0 { total = 0 }
    }

    /// A member left, taking its last estimate with it.
    func leave(contribution: Double) {
        members -= 1
        assert(members >= 0, "a member left a host twice")
        update(from: contribution, to: 0)
        if members == 0 { total = 0 }
    }

    /// The members' mean estimate, when there are at least two of them.
    var mean: Double? { members >= 2 ? total / Double(members) : nil }
}
