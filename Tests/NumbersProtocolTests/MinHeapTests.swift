import Testing
@testable import NumbersProtocol

/// A plain key without a tie-breaker: ties must still come out, in whichever order.
private struct Key: HeapOrdered, Equatable {
    var value: UInt64
    var tag: Int
    func precedes(_ other: Key) -> Bool { value < other.value }
}

@Suite struct MinHeapTests {
    @Test func popsInAscendingOrderWithInterleavedPushes() {
        var heap = MinHeap<Key>()
        var rng = SplitMix64(seed: 5)
        var expected: [UInt64] = []
        for i in 0..<4_000 {
            let v = rng.next() % 300
            heap.push(Key(value: v, tag: i))
            expected.append(v)
            if i % 5 == 4 {
                let least = expected.min()!
                #expect(heap.first?.value == least)
                #expect(heap.popFirst()?.value == least)
                expected.remove(at: expected.firstIndex(of: least)!)
            }
        }
        #expect(heap.count == expected.count)
        var popped: [UInt64] = []
        while let k = heap.popFirst() { popped.append(k.value) }
        #expect(popped == expected.sorted())
        #expect(heap.isEmpty && heap.first == nil && heap.popFirst() == nil)
    }

    @Test func removeAllKeepsTheRestInOrder() {
        var heap = MinHeap<Key>()
        for i in (0..<100).reversed() { heap.push(Key(value: UInt64(i), tag: i)) }
        heap.removeAll { $0.value % 3 == 0 }
        var popped: [UInt64] = []
        while let k = heap.popFirst() { popped.append(k.value) }
        #expect(popped == (0..<100).map(UInt64.init).filter { $0 % 3 != 0 })
    }

    @Test func timerQueueBreaksTiesInPushOrder() {
        var queue = TimerQueue<Int>()
        var rng = SplitMix64(seed: 9)
        var pushed: [(deadline: UInt64, value: Int)] = []
        for i in 0..<3_000 {
            let d = rng.next() % 20
            queue.push(Instant(nanoseconds: d), i)
            pushed.append((d, i))
        }
        // Compaction must not disturb the FIFO order among equal deadlines.
        queue.compact { $0.value % 4 != 1 }
        let expected = pushed.filter { $0.value % 4 != 1 }
            .sorted { ($0.deadline, $0.value) < ($1.deadline, $1.value) }
            .map(\.value)
        var popped: [Int] = []
        while let e = queue.pop() { popped.append(e.value) }
        #expect(popped == expected)
        #expect(queue.isEmpty && queue.top == nil)
    }
}
