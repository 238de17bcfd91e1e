/// The client's view of the round trip: a smoothed mean and mean deviation in the manner of
/// RFC 6298 (gains 1/8 and 1/4) beside the minimum of recent samples.
///
/// Samples are taken from OPEN → first answer and from ACK → the first datagram echoing it. An
/// echo can wait behind a retransmission queue, so a sample is too long, never too short: the
/// minimum is the path's floor, the smoothed value what a request really takes to be served.
struct RoundTripEstimator {
    private(set) var smoothed: Nanoseconds?
    private(set) var deviation: Nanoseconds = .zero
    private var recent = RecentMinimum()

    var sampleCount: Int { recent.count }
    var minimum: Nanoseconds? { recent.value }

    mutating func add(_ sample: Nanoseconds) {
        recent.add(sample)
        // An echo can arrive late for reasons that are not the path: the datagram that first
        // carried it was lost and a later one repeats it, or it waited behind a long
        // retransmission queue. Such a sample says nothing about when a request is answered; one
        // more than twice the recent floor is left out of the mean (the floor itself follows a
        // path that really got slower within 16 samples).
        if let floor = recent.value, sample > floor * 2 { return }
        guard let s = smoothed else {
            smoothed = sample
            deviation = Nanoseconds(sample.value / 2)
            return
        }
        let difference = s.value > sample.value ? s.value - sample.value : sample.value - s.value
        deviation = Nanoseconds((3 * deviation.value + difference) / 4)
        smoothed = Nanoseconds((7 * s.value + sample.value) / 8)
    }

    /// How long a request may take to be answered before it is presumed lost: the smoothed round
    /// trip, four deviations (at least a quarter of the round trip, for a queue that grows between
    /// samples), and a floor for timer granularity.
    func requestTimeout(floor: Nanoseconds) -> Nanoseconds? {
        guard let s = smoothed else { return nil }
        return max(floor, s + max(deviation * 4, Nanoseconds(s.value / 4)))
    }
}
