/// When each recent DATA carrying new numbers left, by the stream position it ends at, so that
/// an ACK whose `highest` is that position yields a round-trip sample measured from the very
/// datagram whose arrival the ACK reports.
///
/// A round measured from a marked datagram to the first ACK beyond it also counts the client's
/// ACK delay, which at a low rate is many datagram times (the client acknowledges every 16 DATA)
/// and reads as a queue that is not there. Per-datagram send times, reduced by a minimum over the
/// round, remove it: the ACK sent at once on the 16th arrival gives the path's own round trip.
struct SendTimes {
    /// Entries kept: more than the datagrams in flight on any path this tool is pointed at (a
    /// 200 Mbit/s link with a 20 ms round trip holds about 420 full datagrams).
    static let capacity = 1_024

    private var ends = [UInt32](repeating: 0, count: capacity)
    private var times = [UInt64](repeating: 0, count: capacity)
    /// Index of the oldest entry, and how many there are.
    private var first = 0
    private(set) var count = 0

    /// A datagram ending at `end` left at `now`. Ends must increase (only first sends are kept,
    /// and those advance through the stream in order); an end that does not is ignored.
    mutating func record(end: UInt32, at now: Instant) {
        if count > 0, end <= ends[(first + count - 1) % Self.capacity] { return }
        if count == Self.capacity {
            first = (first + 1) % Self.capacity
            count -= 1
        }
        let slot = (first + count) % Self.capacity
        ends[slot] = end
        times[slot] = now.nanoseconds
        count += 1
    }

    /// When the datagram ending exactly at `end` left, if it is still remembered.
    func sentAt(end: UInt32) -> Instant? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            let e = ends[(first + mid) % Self.capacity]
            if e == end { return Instant(nanoseconds: times[(first + mid) % Self.capacity]) }
            if e < end { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}
