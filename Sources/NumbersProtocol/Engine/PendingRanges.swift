/// The server's retransmission queue for one session: up to `Limits.maxPendingRanges` disjoint,
/// ascending index ranges, stored inline so a session stays a fixed few hundred bytes. What does
/// not fit is dropped; the client asks again once the server signals it has drained its queue.
public struct PendingRanges: Sendable {
    private var storage = InlineArray<8, IndexRange>(repeating: IndexRange(0, 0))
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }
    public var first: IndexRange? { count > 0 ? storage[0] : nil }

    public subscript(i: Int) -> IndexRange { storage[i] }

    /// Adds `range` (clipped to start at `floor`), merging with overlapping or adjacent ranges and
    /// keeping the lowest ranges when over capacity. Returns false if something was dropped.
    @discardableResult
    public mutating func insert(_ range: IndexRange, floor: UInt32) -> Bool {
        var r = range
        if r.start < floor { r.start = floor }
        guard r.start < r.end else { return true }
        // Find the first range that ends at or after r.start (could touch r).
        var i = 0
        while i < count && storage[i].end < r.start { i += 1 }
        // Absorb every range that overlaps or touches r.
        var j = i
        while j < count && storage[j].start <= r.end {
            r.start = min(r.start, storage[j].start)
            r.end = max(r.end, storage[j].end)
            j += 1
        }
        let removed = j - i
        if removed == 0 {
            var dropped = false
            if count == 8 {
                if i == 8 { return false }           // beyond every kept range: drop r itself
                count -= 1                           // drop the highest range to make room
                dropped = true
            }
            var k = count
            while k > i { storage[k] = storage[k - 1]; k -= 1 }
            storage[i] = r
            count += 1
            return !dropped
        }
        storage[i] = r
        // Close the hole left by the absorbed ranges.
        if removed > 1 {
            var k = i + 1
            while k + removed - 1 < count { storage[k] = storage[k + removed - 1]; k += 1 }
            count -= removed - 1
        }
        return true
    }

    /// Forgets everything below `floor` (the client's cumulative ACK moved).
    public mutating func trim(below floor: UInt32) {
        var drop = 0
        while drop < count && storage[drop].end <= floor { drop += 1 }
        if drop > 0 {
            for k in 0..<(count - drop) { storage[k] = storage[k + drop] }
            count -= drop
        }
        if count > 0 && storage[0].start < floor { storage[0].start = floor }
    }

    /// Takes up to `limit` indices from the front of the first range.
    public mutating func popFront(limit: UInt32) -> IndexRange? {
        guard count > 0 else { return nil }
        let r = storage[0]
        let end = r.end - r.start > limit ? r.start + limit : r.end
        if end == r.end {
            for k in 0..<(count - 1) { storage[k] = storage[k + 1] }
            count -= 1
        } else {
            storage[0].start = end
        }
        return IndexRange(r.start, end)
    }

    public mutating func removeAll() { count = 0 }
}
