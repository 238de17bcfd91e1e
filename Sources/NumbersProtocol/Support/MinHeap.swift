/// An element of a `MinHeap`: a strict order, ties broken by the element itself (for example by
/// an insertion counter), so that equal keys leave in a fixed order.
public protocol HeapOrdered {
    func precedes(_ other: Self) -> Bool
}

/// A binary min-heap in one array: O(1) to read the least element, O(log n) to push or pop.
/// The timers of the server engine and the held datagrams of the impairment model both use it.
public struct MinHeap<Element: HeapOrdered> {
    @usableFromInline var elements: [Element] = []

    public init() {}

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
    public var first: Element? { elements.first }

    @inlinable
    public mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child].precedes(elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    @inlinable
    public mutating func popFirst() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let first = elements.removeLast()
        var parent = 0
        let n = elements.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < n && elements[left].precedes(elements[best]) { best = left }
            if right < n && elements[right].precedes(elements[best]) { best = right }
            if best == parent { break }
            elements.swapAt(parent, best)
            parent = best
        }
        return first
    }

    /// Drops the elements `isDropped` selects, then restores the heap order.
    public mutating func removeAll(where isDropped: (Element) -> Bool) {
        let kept = elements.filter { !isDropped($0) }
        elements.removeAll(keepingCapacity: true)
        for e in kept { push(e) }
    }
}

extension MinHeap: Sendable where Element: Sendable {}
