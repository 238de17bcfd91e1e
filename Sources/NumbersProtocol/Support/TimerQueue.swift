/// Values waiting for a deadline, earliest first; values due at the same instant leave in the
/// order they were pushed (FIFO), so that a simulated run is the same on every machine and
/// sessions due together take turns fairly.
///
/// A `MinHeap` of (deadline, insertion order, value). Entries are not removed early: callers keep
/// the deadline that is current for a value and skip a popped entry that no longer matches it.
package struct TimerQueue<Value> {
    package struct Entry: HeapOrdered {
        package var deadline: Instant
        @usableFromInline var order: UInt64
        package var value: Value

        @inlinable
        init(deadline: Instant, order: UInt64, value: Value) {
            self.deadline = deadline
            self.order = order
            self.value = value
        }

        @inlinable
        package func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : order < other.order
        }
    }

    @usableFromInline var heap = MinHeap<Entry>()
    @usableFromInline var nextOrder: UInt64 = 0

    package init() {}

    package var count: Int { heap.count }
    package var isEmpty: Bool { heap.isEmpty }
    /// The earliest entry (the first pushed among the earliest), if any.
    package var top: Entry? { heap.first }

    @inlinable
    package mutating func push(_ deadline: Instant, _ value: Value) {
        heap.push(Entry(deadline: deadline, order: nextOrder, value: value))
        nextOrder &+= 1
    }

    @inlinable
    package mutating func pop() -> Entry? { heap.popFirst() }

    /// Keeps only the entries `isLive` accepts (when stale ones pile up); their order is kept.
    package mutating func compact(isLive: (Entry) -> Bool) {
        heap.removeAll { !isLive($0) }
    }
}

extension TimerQueue: Sendable where Value: Sendable {}
extension TimerQueue.Entry: Sendable where Value: Sendable {}
