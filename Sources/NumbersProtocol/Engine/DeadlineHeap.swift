/// A binary min-heap of (deadline, order, client) used as the server's timer: the earliest
/// session deadline is O(1) to read and O(log n) to pop. Entries are never removed early; an entry
/// whose deadline no longer matches its session's `scheduledAt` is stale and skipped when popped.
struct DeadlineHeap {
    struct Entry {
        var deadline: Instant
        var order: UInt64     // FIFO among equal deadlines, so sessions take turns fairly
        var clientID: ClientID
        @inline(__always) func precedes(_ o: Entry) -> Bool {
            deadline < o.deadline || (deadline == o.deadline && order < o.order)
        }
    }

    private(set) var entries: [Entry] = []
    private var nextOrder: UInt64 = 0

    var count: Int { entries.count }
    var top: Entry? { entries.first }

    mutating func push(_ deadline: Instant, _ id: ClientID) {
        entries.append(Entry(deadline: deadline, order: nextOrder, clientID: id))
        nextOrder &+= 1
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[i].precedes(entries[parent]) else { break }
            entries.swapAt(i, parent); i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        let result = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            let n = entries.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && entries[l].precedes(entries[m]) { m = l }
                if r < n && entries[r].precedes(entries[m]) { m = r }
                if m == i { break }
                entries.swapAt(i, m); i = m
            }
        }
        return result
    }

    /// Rebuilds from the live entries only, when stale ones pile up.
    mutating func compact(isLive: (Entry) -> Bool) {
        let live = entries.filter(isLive)
        entries.removeAll(keepingCapacity: true)
        for e in live { push(e.deadline, e.clientID) }
    }
}
