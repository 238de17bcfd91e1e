import Testing
@testable import NumbersImpairment
import NumbersProtocol

@Suite struct ReleaseHeapTests {
    @Test func popsInDueThenInsertionOrder() {
        var heap = ReleaseHeap()
        var rng = SplitMix64(seed: 77)
        let to = PeerAddress(ipv4: (1, 1, 1, 1), port: 1)
        var expected: [(due: UInt64, index: UInt8)] = []
        // Few distinct due times, so that ties are common; the payload records insertion order.
        for i in 0..<5_000 {
            let due = rng.next() % 50
            expected.append((due, UInt8(truncatingIfNeeded: i)))
            heap.push([UInt8(truncatingIfNeeded: i)], to: to, due: Instant(nanoseconds: due))
            // Interleave pops so that slots are reused.
            if i % 7 == 6 {
                let min = expected.enumerated().min { $0.element.due < $1.element.due }!
                #expect(heap.firstDue == Instant(nanoseconds: min.element.due))
                #expect(heap.popFirst()?.bytes == [min.element.index])
                expected.remove(at: min.offset)
            }
        }
        // Stable sort by due: the FIFO order among equal due times.
        let order = expected.enumerated().sorted { ($0.element.due, $0.offset) < ($1.element.due, $1.offset) }
        for item in order {
            #expect(heap.popFirst()?.bytes == [item.element.index])
        }
        #expect(heap.isEmpty && heap.popFirst() == nil && heap.firstDue == nil)
    }
}
