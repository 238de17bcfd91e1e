/// The server's timer: a min-heap of (deadline, order, client), so the earliest session deadline
/// is O(1) to read. Entries are never removed early; an entry whose deadline no longer matches
/// its session's `scheduledAt` is stale and skipped when popped.
struct DeadlineHeap {
    struct Entry: HeapOrdered {
        var deadline: Instant
        var order: UInt64     // FIFO among equal deadlines, so sessions take turns fairly
        var clientID: ClientID
        @inline(__always) func precedes(_ o: Entry) -> Bool {
            deadline < o.deadline || (deadline == o.deadline && order < o.order)
        }
    }

    private var heap = MinHeap<Entry>()
    private var nextOrder: UInt64 = 0

    var count: Int { heap.count }
    var top: Entry? { heap.first }

    mutating func push(_ deadline: Instant, _ id: ClientID) {
        heap.push(Entry(deadline: deadline, order: nextOrder, clientID: id))
        nextOrder &+= 1
    }

    mutating func pop() -> Entry? { heap.popFirst() }

    /// Rebuilds from the live entries only, when stale ones pile up.
    mutating func compact(isLive: (Entry) -> Bool) {
        heap.removeAll { !isLive($0) }
    }
}
