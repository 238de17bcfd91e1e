/// The loss rate the client sees on the server's new data: each DATA that opens a gap counts the
/// datagrams the gap stands for as lost, each new DATA as delivered. Both counts halve every
/// `window` datagrams, so the estimate follows a change of conditions within a few hundred
/// datagrams and costs two integers.
///
/// It is the one measurement that tells heavy loss from an outage: at p = 0.5 both ways three
/// probes in four go unanswered, which at p = 0.01 would mean the server is gone.
struct LossEstimator {
    static let window: UInt32 = 512
    private var lost: UInt32 = 0
    private var delivered: UInt32 = 0

    mutating func delivered(newDatagrams count: UInt32 = 1) {
        delivered &+= count
        decay()
    }

    mutating func lost(datagrams count: UInt32) {
        lost &+= min(count, Self.window)
        decay()
    }

    private mutating func decay() {
        if lost + delivered > Self.window { lost /= 2; delivered /= 2 }
    }

    /// The one-way loss rate, between 0 and 1; 0 until anything was seen.
    var rate: Double {
        let seen = lost + delivered
        return seen == 0 ? 0 : Double(lost) / Double(seen)
    }

    /// Copies of a control datagram whose loss would cost a timeout (a probe, the request that
    /// ends a round): enough that all are lost with probability below about 3%.
    var controlCopies: Int {
        let p = rate
        if p < 0.03 { return 1 }
        if p < 0.18 { return 2 }
        return p < 0.32 ? 3 : 4
    }

    /// Unanswered probes to expect before the silence means an outage rather than loss: a probe
    /// round fails when the probe or every answer to it is lost, about 1 − (1 − p)² of the time;
    /// the patience is the number of such failures in a row whose chance is under 0.1%.
    var probePatience: UInt32 {
        let p = min(rate, 0.9)
        let failure = 1 - (1 - p) * (1 - p)
        var k: UInt32 = 1
        var chance = failure
        while chance > 0.001 && k < 16 { chance *= failure; k += 1 }
        return k
    }
}
