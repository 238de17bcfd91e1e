import Testing
@testable import NumbersProtocol

/// The server's bounded retransmission queue: merging, capacity (8 here), trimming, popping.
@Suite struct PendingRangesTests {
    private func contents(_ p: PendingRanges) -> [IndexRange] { (0..<p.count).map { p[$0] } }

    // Mutating calls cannot appear inside #expect; these run them first.
    private func insert(_ p: inout PendingRanges, _ r: IndexRange, floor: UInt32) -> Bool { p.insert(r, floor: floor) }
    private func pop(_ p: inout PendingRanges, _ limit: UInt32) -> IndexRange? { p.popFront(limit: limit) }

    private func make(_ ranges: [(UInt32, UInt32)], floor: UInt32 = 0) -> PendingRanges {
        var p = PendingRanges(capacity: 8)
        for r in ranges { p.insert(IndexRange(r.0, r.1), floor: floor) }
        return p
    }

    /// The ranges [10k, 10k + 5) for k in `ks`.
    private func spaced(_ ks: ClosedRange<UInt32>) -> [IndexRange] {
        ks.map { (k: UInt32) -> IndexRange in IndexRange(10 * k, 10 * k + 5) }
    }

    /// Eight disjoint ranges [10,15), [20,25), …, [80,85).
    private func full() -> PendingRanges {
        var p = PendingRanges(capacity: 8)
        for r in spaced(1...8) { p.insert(r, floor: 0) }
        return p
    }

    @Test func startsEmpty() {
        var p = PendingRanges(capacity: 8)
        #expect(p.isEmpty && p.count == 0 && p.first == nil)
        #expect(pop(&p, 10) == nil)
    }

    @Test func insertKeepsRangesAscending() {
        var p = PendingRanges(capacity: 8)
        #expect(insert(&p, IndexRange(50, 60), floor: 0))
        #expect(insert(&p, IndexRange(10, 20), floor: 0))
        #expect(insert(&p, IndexRange(30, 40), floor: 0))
        #expect(contents(p) == [IndexRange(10, 20), IndexRange(30, 40), IndexRange(50, 60)])
        #expect(p.first == IndexRange(10, 20))
    }

    @Test func insertMergesOverlapping() {
        #expect(contents(make([(10, 20), (15, 25)])) == [IndexRange(10, 25)])
        #expect(contents(make([(15, 25), (10, 20)])) == [IndexRange(10, 25)])
        #expect(contents(make([(10, 30), (15, 20)])) == [IndexRange(10, 30)])      // contained
        #expect(contents(make([(15, 20), (10, 30)])) == [IndexRange(10, 30)])      // containing
        #expect(contents(make([(10, 20), (10, 20)])) == [IndexRange(10, 20)])      // identical
    }

    @Test func insertMergesAdjacent() {
        #expect(contents(make([(10, 20), (20, 30)])) == [IndexRange(10, 30)])
        #expect(contents(make([(20, 30), (10, 20)])) == [IndexRange(10, 30)])
        #expect(contents(make([(10, 20), (21, 30)])) == [IndexRange(10, 20), IndexRange(21, 30)])
    }

    @Test func insertBridgesSeveralRangesAndClosesTheHole() {
        var p = make([(10, 20), (30, 40), (50, 60), (70, 80), (90, 95)])
        #expect(insert(&p, IndexRange(18, 52), floor: 0))
        #expect(contents(p) == [IndexRange(10, 60), IndexRange(70, 80), IndexRange(90, 95)])
        #expect(insert(&p, IndexRange(60, 70), floor: 0))                   // touches both sides
        #expect(contents(p) == [IndexRange(10, 80), IndexRange(90, 95)])
        #expect(insert(&p, IndexRange(0, 200), floor: 0))
        #expect(contents(p) == [IndexRange(0, 200)])
    }

    @Test func insertClipsToFloorAndIgnoresEmpty() {
        var p = PendingRanges(capacity: 8)
        #expect(insert(&p, IndexRange(5, 10), floor: 7))
        #expect(contents(p) == [IndexRange(7, 10)])
        #expect(insert(&p, IndexRange(1, 7), floor: 7))           // wholly below the floor: nothing
        #expect(insert(&p, IndexRange(20, 20), floor: 0))         // empty: nothing
        #expect(contents(p) == [IndexRange(7, 10)])
    }

    @Test func capacityIsEight() {
        #expect(PendingRanges().capacity == Limits.maxPendingRanges)
        let p = full()
        #expect(p.count == 8)
        #expect(contents(p) == spaced(1...8))
    }

    /// A ninth range below all others is kept and the highest range is dropped; insert says so.
    @Test func ninthLowestRangeDropsTheHighest() {
        var p = full()
        #expect(insert(&p, IndexRange(0, 5), floor: 0) == false)
        #expect(p.count == 8)
        #expect(contents(p) == [IndexRange(0, 5)] + spaced(1...7))
    }

    @Test func ninthRangeInTheMiddleDropsTheHighest() {
        var p = full()
        #expect(insert(&p, IndexRange(46, 48), floor: 0) == false)
        #expect(contents(p) == [IndexRange(10, 15), IndexRange(20, 25), IndexRange(30, 35), IndexRange(40, 45),
                                IndexRange(46, 48), IndexRange(50, 55), IndexRange(60, 65), IndexRange(70, 75)])
    }

    @Test func ninthRangeAboveAllIsItselfDropped() {
        var p = full()
        #expect(insert(&p, IndexRange(100, 105), floor: 0) == false)
        #expect(contents(p) == contents(full()))
        // Just above the last range (not touching it) is also beyond every kept range.
        #expect(insert(&p, IndexRange(86, 90), floor: 0) == false)
        #expect(contents(p) == contents(full()))
    }

    @Test func mergingWhenFullDropsNothing() {
        var p = full()
        #expect(insert(&p, IndexRange(85, 90), floor: 0))          // adjacent to the highest
        #expect(p.count == 8 && p[7] == IndexRange(80, 90))
        #expect(insert(&p, IndexRange(15, 20), floor: 0))          // joins [10,15) and [20,25)
        #expect(p.count == 7 && p[0] == IndexRange(10, 25))
        #expect(insert(&p, IndexRange(100, 105), floor: 0))        // room again
        #expect(p.count == 8 && p[7] == IndexRange(100, 105))
    }

    @Test func trimForgetsBelowFloor() {
        var p = make([(10, 20), (30, 40), (50, 60)])
        p.trim(below: 5)
        #expect(contents(p) == [IndexRange(10, 20), IndexRange(30, 40), IndexRange(50, 60)])
        p.trim(below: 15)
        #expect(contents(p) == [IndexRange(15, 20), IndexRange(30, 40), IndexRange(50, 60)])
        p.trim(below: 20)                                          // end == floor: whole range goes
        #expect(contents(p) == [IndexRange(30, 40), IndexRange(50, 60)])
        p.trim(below: 55)
        #expect(contents(p) == [IndexRange(55, 60)])
        p.trim(below: 1000)
        #expect(p.isEmpty && p.first == nil)
    }

    @Test func popFrontTakesUpToLimitFromTheFirstRange() {
        var p = make([(10, 20), (30, 32)])
        #expect(pop(&p, 3) == IndexRange(10, 13))
        #expect(contents(p) == [IndexRange(13, 20), IndexRange(30, 32)])
        #expect(pop(&p, 7) == IndexRange(13, 20))       // exactly the rest: range removed
        #expect(contents(p) == [IndexRange(30, 32)])
        #expect(pop(&p, 100) == IndexRange(30, 32))     // never spans two ranges
        #expect(p.isEmpty)
        #expect(pop(&p, 100) == nil)
    }

    @Test func removeAllEmpties() {
        var p = full()
        p.removeAll()
        #expect(p.isEmpty && p.count == 0)
        #expect(insert(&p, IndexRange(1, 2), floor: 0))
        #expect(contents(p) == [IndexRange(1, 2)])
    }

    /// Against a simple set model: after random inserts (below capacity), the ranges are exactly
    /// the maximal runs of the union of everything inserted at or above the floor.
    @Test func randomInsertsEqualSetModel() {
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<300 {
            var p = PendingRanges(capacity: 8)
            var model = Set<UInt32>()
            let floor = UInt32(rng.next() % 20)
            for _ in 0..<6 {
                let s = UInt32(rng.next() % 100), len = UInt32(rng.next() % 12)
                if p.count < 5 || len == 0 {      // stay below capacity: nothing may be dropped
                    #expect(insert(&p, IndexRange(s, s + len), floor: floor))
                    for i in s..<(s + len) where i >= floor { model.insert(i) }
                }
            }
            var runs: [IndexRange] = []
            for i in model.sorted() {
                if let last = runs.last, last.end == i { runs[runs.count - 1].end = i + 1 } else { runs.append(IndexRange(i, i + 1)) }
            }
            #expect(contents(p) == runs)
        }
    }
}
