import NumbersProtocol

/// A copy waiting for its release time.
struct HeldDatagram: Sendable {
    var due: Instant
    /// Insertion order: breaks ties so that datagrams due at the same instant leave FIFO.
    var order: UInt64
    var destination: PeerAddress
    var bytes: [UInt8]

    @inline(__always)
    func precedes(_ other: HeldDatagram) -> Bool {
        due != other.due ? due < other.due : order < other.order
    }
}

/// A binary min-heap of held copies keyed by (due, order): O(log n) push and pop.
struct ReleaseHeap: Sendable {
    private var items: [HeldDatagram] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    /// Release time of the earliest copy.
    var firstDue: Instant? { items.first?.due }

    mutating func push(_ item: HeldDatagram) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> HeldDatagram? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let first = items.removeLast()
        var parent = 0
        let n = items.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < n && items[left].precedes(items[best]) { best = left }
            if right < n && items[right].precedes(items[best]) { best = right }
            if best == parent { break }
            items.swapAt(parent, best)
            parent = best
        }
        return first
    }
}
