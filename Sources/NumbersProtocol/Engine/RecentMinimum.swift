/// The smallest of the last few samples (16 unless told). Used for the client's estimates of the
/// round trip and of the server's pace, and for the congestion controller's view of the queue: a
/// stall or a queue makes a sample larger, never smaller, so the minimum of recent samples tracks
/// the true value without being inflated by the very stalls it must detect.
struct RecentMinimum {
    /// The most samples any filter keeps.
    static let maxKept = 16
    private var samples = InlineArray<16, UInt64>(repeating: .max)
    private var next = 0
    private let kept: Int
    private(set) var count = 0
    /// The smallest of `samples`.
    private var minimum = UInt64.max

    init(keeping kept: Int = RecentMinimum.maxKept) {
        precondition(kept >= 1 && kept <= Self.maxKept, "a recent minimum keeps 1 to \(Self.maxKept) samples")
        self.kept = kept
    }

    mutating func add(_ sample: Nanoseconds) {
        let evicted = samples[next]
        samples[next] = sample.value
        next = (next + 1) % kept
        count = min(count + 1, kept)
        // Kept up to date here, where it is cheap: it is read for nearly every DATA the client
        // takes in, and a scan of the samples on each read was 2.6% of a full-speed transfer.
        if sample.value <= minimum {
            minimum = sample.value
        } else if evicted == minimum {
            minimum = .max
            for i in 0..<kept { minimum = Swift.min(minimum, samples[i]) }
        }
    }

    /// Forgets every sample.
    mutating func reset() { self = RecentMinimum(keeping: kept) }

    var value: Nanoseconds? { count > 0 ? Nanoseconds(minimum) : nil }
}
