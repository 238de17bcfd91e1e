/// An element of a `MinHeap`: a strict order. Where equal keys must leave in a fixed order, the
/// element breaks the tie itself (for example by an insertion counter, as `TimerQueue` does).
package protocol HeapOrdered {
    func precedes(_ other: Self) -> Bool
}

/// A binary min-heap in one array: O(1) to read the least element, O(log n) to push or pop.
///
/// The one heap of the package: the server's session timers and the impairment model's held
/// datagrams (through `TimerQueue`) and the load generator's client timers use it. Sifts move a
/// hole through the raw buffer (no bounds or uniqueness checks per step) because the load
/// generator and the server's timer run it in their inner loops; the order they produce is that
/// of the textbook swap-based sift.
package struct MinHeap<Element: HeapOrdered> {
    @usableFromInline var elements: [Element] = []

    package init() {}

    package var count: Int { elements.count }
    package var isEmpty: Bool { elements.isEmpty }
    /// The least element, if any.
    package var first: Element? { elements.first }

    package mutating func reserveCapacity(_ n: Int) { elements.reserveCapacity(n) }

    @inlinable
    package mutating func push(_ element: Element) {
        elements.append(element)
        elements.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard element.precedes(heap[parent]) else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = element
        }
    }

    /// Removes and returns the least element.
    @inlinable
    package mutating func popFirst() -> Element? {
        guard let last = elements.popLast() else { return nil }
        guard !elements.isEmpty else { return last }
        return elements.withUnsafeMutableBufferPointer { heap in
            let first = heap[0]
            let n = heap.count
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < n else { break }
                let right = left + 1
                let child = right < n && heap[right].precedes(heap[left]) ? right : left
                guard heap[child].precedes(last) else { break }
                heap[parent] = heap[child]
                parent = child
            }
            heap[parent] = last
            return first
        }
    }

    /// Drops the elements `isDropped` selects, then restores the heap order.
    package mutating func removeAll(where isDropped: (Element) -> Bool) {
        let kept = elements.filter { !isDropped($0) }
        elements.removeAll(keepingCapacity: true)
        for e in kept { push(e) }
    }
}

extension MinHeap: Sendable where Element: Sendable {}
