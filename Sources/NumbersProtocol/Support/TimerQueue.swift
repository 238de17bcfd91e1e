/// Values waiting for a deadline, earliest first; values due at the same instant leave in the
/// order they were pushed (FIFO), so that a simulated run is the same on every machine and
/// sessions due together take turns fairly.
///
/// A `MinHeap` of (deadline, insertion order, value). Entries are not removed early: callers keep
/// the deadline that is current for a value and skip a popped entry that no longer matches it.
public struct TimerQueue<Value> {
    public struct Entry: HeapOrdered {
        public var deadline: Instant
        @usableFromInline var order: UInt64
        public var value: Value

        @inlinable
        init(deadline: Instant, order: UInt64, value: Value) {
            self.deadline = deadline
            self.order = order
            self.value = value
        }

        @inlinable
        public func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : order < other.order
        }
    }

    @usableFromInline var heap = MinHeap<Entry>()
    @usableFromInline var nextOrder: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The earliest entry (the first pushed among the earliest), if any.
    public var top: Entry? { heap.first }

    @inlinable
    public mutating func push(_ deadline: Instant, _ value: Value) {
        heap.push(Entry(deadline: deadline, order: nextOrder, value: value))
        nextOrder &+= 1
    }

    @inlinable
    public mutating func pop() -> Entry? { heap.popFirst() }

    /// Keeps only the entries `isLive` accepts (when stale ones pile up); their order is kept.
    public mutating func compact(isLive: (Entry) -> Bool) {
        heap.removeAll { !isLive($0) }
    }
}

extension TimerQueue: Sendable where Value: Sendable {}
extension TimerQueue.Entry: Sendable where Value: Sendable {}
