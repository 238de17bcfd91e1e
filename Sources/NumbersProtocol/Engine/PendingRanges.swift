/// The server's retransmission queue for one session: disjoint, ascending index ranges, at most
/// `capacity` (`Limits.maxPendingRanges`) of them. Its storage is allocated on the first request
/// and kept, so a session that never loses anything costs one empty array, and a recovering one
/// a bounded few kilobytes. What does not fit is dropped; the client asks again once the server
/// signals it has drained its queue, so dropping loses nothing.
public struct PendingRanges: Sendable {
    private var storage: [IndexRange] = []
    /// Ranges before `head` have been sent; popping from the front is O(1). Both counters are
    /// 32-bit (the queue holds at most a few hundred ranges) to keep a session record small.
    private var headIndex: Int32 = 0
    private let limit: Int32

    public init(capacity: Int = Limits.maxPendingRanges) {
        precondition(capacity >= 1 && capacity <= Int(Int32.max))
        limit = Int32(capacity)
    }

    public var capacity: Int { Int(limit) }
    private var head: Int {
        get { Int(headIndex) }
        set { headIndex = Int32(newValue) }
    }

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { head == storage.count }
    public var first: IndexRange? { isEmpty ? nil : storage[head] }

    public subscript(i: Int) -> IndexRange { storage[head + i] }

    /// Adds `range` (clipped to start at `floor`), merging with overlapping or adjacent ranges and
    /// keeping the lowest ranges when over capacity. Returns false if something was dropped.
    @discardableResult
    public mutating func insert(_ range: IndexRange, floor: UInt32) -> Bool {
        var r = range
        if r.start < floor { r.start = floor }
        guard r.start < r.end else { return true }
        compactIfNeeded()
        if storage.capacity == 0 { storage.reserveCapacity(min(capacity, 32)) }
        // The first range that ends at or after r.start (it may touch r): binary search.
        var lo = head, hi = storage.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if storage[mid].end < r.start { lo = mid + 1 } else { hi = mid }
        }
        var j = lo
        while j < storage.count && storage[j].start <= r.end {
            r.start = min(r.start, storage[j].start)
            r.end = max(r.end, storage[j].end)
            j += 1
        }
        if j > lo {
            storage.replaceSubrange(lo..<j, with: CollectionOfOne(r))
            return true
        }
        if count == capacity {
            if lo == storage.count { return false }   // beyond every kept range: drop r itself
            storage.removeLast()                      // drop the highest range to make room
            storage.insert(r, at: lo)
            return false
        }
        storage.insert(r, at: lo)
        return true
    }

    /// Forgets everything below `floor` (the client's cumulative ACK moved).
    public mutating func trim(below floor: UInt32) {
        while head < storage.count && storage[head].end <= floor { head += 1 }
        if head < storage.count && storage[head].start < floor { storage[head].start = floor }
        if isEmpty { removeAll() }
    }

    /// Takes up to `limit` indices from the front of the first range.
    public mutating func popFront(limit: UInt32) -> IndexRange? {
        guard !isEmpty else { return nil }
        let r = storage[head]
        let end = r.end - r.start > limit ? r.start + limit : r.end
        if end == r.end {
            head += 1
            if isEmpty { removeAll() }
        } else {
            storage[head].start = end
        }
        return IndexRange(r.start, end)
    }

    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    private mutating func compactIfNeeded() {
        if head > 0 && head >= storage.count / 2 {
            storage.removeFirst(head)
            head = 0
        }
    }
}
