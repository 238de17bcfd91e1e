/// The smallest of the last 16 samples. Used for the client's estimates of the round trip and of
/// the server's pace: a stall or a queue makes a sample larger, never smaller, so the minimum of
/// recent samples tracks the true value without being inflated by the very stalls it must detect.
struct RecentMinimum {
    private var samples = InlineArray<16, UInt64>(repeating: .max)
    private var next = 0
    private(set) var count = 0

    mutating func add(_ sample: Nanoseconds) {
        samples[next] = sample.value
        next = (next + 1) & 15
        count = min(count + 1, 16)
    }

    /// Forgets every sample.
    mutating func reset() { self = RecentMinimum() }

    var value: Nanoseconds? {
        guard count > 0 else { return nil }
        var m = UInt64.max
        for i in 0..<16 { m = min(m, samples[i]) }
        return Nanoseconds(m)
    }
}
