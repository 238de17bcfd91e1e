import Testing
@testable import NumbersProtocol

/// The client's reassembly ring: storing, folding in order, counting what is missing, and choosing
/// which missing ranges an ACK may request.
@Suite struct ReceiveWindowTests {
    private let g = SequenceGenerator(seed: 0x0123_4567_89AB_CDEF)

    private func requests(_ w: inout ReceiveWindow, limit: Int = Limits.maxAckRanges, ackSeq: UInt32,
                                   drained: UInt32, force: Bool = false) -> [IndexRange] {
        var out: [IndexRange] = [IndexRange(999, 1000)]      // stale content must be cleared
        w.collectRequests(into: &out, limit: limit, ackSeq: ackSeq, drained: drained, liveFrom: nil, force: force)
        return out
    }

    /// A window holding `indices` (values from the generator), advanced.
    private func window(capacity: UInt32 = 512, holding indices: [UInt32]) -> ReceiveWindow {
        var w = ReceiveWindow(capacity: capacity)
        for i in indices { _ = w.store(g.number(at: i), at: i) }
        w.advance()
        return w
    }

    @Test func capacityRoundsUpToAPowerOfTwoOfAtLeast64() {
        #expect(ReceiveWindow(capacity: 1).capacity == 64)
        #expect(ReceiveWindow(capacity: 64).capacity == 64)
        #expect(ReceiveWindow(capacity: 65).capacity == 128)
        #expect(ReceiveWindow(capacity: 294).capacity == 512)
        #expect(ReceiveWindow(capacity: 65_536).capacity == 65_536)
        #expect(ReceiveWindow(capacity: Limits.maxWindow).capacity == Limits.maxWindow)
    }

    @Test func storeDuplicateAndOutsideWindow() {
        var w = ReceiveWindow(capacity: 64)
        #expect(w.store(7, at: 3) == .stored)
        #expect(w.highest == 4)
        #expect(w.buffered == 1)
        #expect(w.store(7, at: 3) == .duplicate)                  // present, not yet folded
        #expect(w.store(1, at: 63) == .stored)                    // last slot of the window
        #expect(w.highest == 64)
        #expect(w.store(1, at: 64) == .outsideWindow)             // cumulative + capacity
        #expect(w.store(1, at: .max - 1) == .outsideWindow)
        #expect(w.buffered == 2)
        #expect(w.store(0, at: 0) == .stored)
        w.advance()
        #expect(w.cumulative == 1)
        #expect(w.store(0, at: 0) == .duplicate)                  // below cumulative
        #expect(w.highest == 64)
    }

    @Test func windowSlidesWithCumulative() {
        var w = ReceiveWindow(capacity: 64)
        for i in UInt32(0)..<10 { #expect(w.store(g.number(at: i), at: i) == .stored) }
        w.advance()
        #expect(w.cumulative == 10)
        #expect(w.store(1, at: 73) == .stored)                    // 10 + 64 − 1
        #expect(w.store(1, at: 74) == .outsideWindow)
    }

    /// Numbers are folded strictly in index order, whatever order they arrive in; folding stops
    /// at the first hole.
    @Test func advanceFoldsInIndexOrder() {
        var w = ReceiveWindow(capacity: 64)
        for i: UInt32 in [4, 2, 1] { _ = w.store(g.number(at: i), at: i) }
        w.advance()
        #expect(w.cumulative == 0)
        #expect(w.checksum == SequenceChecksum())
        _ = w.store(g.number(at: 0), at: 0)
        w.advance()
        #expect(w.cumulative == 3)                                 // 0,1,2; 3 is missing
        #expect(w.checksum == SequenceChecksum.of(g, count: 3))
        #expect(w.buffered == 1)
        _ = w.store(g.number(at: 3), at: 3)
        w.advance()
        #expect(w.cumulative == 5)
        #expect(w.buffered == 0)
        #expect(w.checksum == SequenceChecksum.of(g, count: 5))
    }

    /// Several laps of the ring in a shuffled order: the checksum is that of the sequence.
    @Test func manyLapsInShuffledOrderFoldExactly() {
        var w = ReceiveWindow(capacity: 64)
        var rng = SplitMix64(seed: 5)
        var next: UInt32 = 0
        while next < 1000 {
            var batch = Array(next..<min(next + 48, 1000))
            batch.shuffle(using: &rng)
            for i in batch { #expect(w.store(g.number(at: i), at: i) == .stored) }
            w.advance()
            next = min(next + 48, 1000)
            #expect(w.cumulative == next)
        }
        #expect(w.checksum == SequenceChecksum.of(g, count: 1000))
    }

    @Test func missingCountsHolesBelowHighest() {
        var w = window(holding: [0, 5])
        #expect(w.cumulative == 1 && w.highest == 6 && w.buffered == 1)
        #expect(w.missing == 4)
        w.highest = 20                                             // a trailer says 20 were sent
        #expect(w.missing == 18)
        _ = w.store(1, at: 19); w.advance()
        #expect(w.missing == 17)
    }

    @Test func collectRequestsListsEveryMissingRunOnce() {
        var w = window(holding: [0, 3, 4, 8])
        #expect(requests(&w, ackSeq: 5, drained: 0) == [IndexRange(1, 3), IndexRange(5, 8)])
        // Asked by ACK 5, which the server has not yet drained: not eligible again.
        #expect(requests(&w, ackSeq: 6, drained: 0) == [])
        #expect(requests(&w, ackSeq: 6, drained: 4) == [])
        // Once the server has drained ACK 5 (or later), they may be asked again.
        #expect(requests(&w, ackSeq: 7, drained: 5) == [IndexRange(1, 3), IndexRange(5, 8)])
        // …and are now marked by 7.
        #expect(requests(&w, ackSeq: 8, drained: 6) == [])
        #expect(requests(&w, ackSeq: 8, drained: 9) == [IndexRange(1, 3), IndexRange(5, 8)])
    }

    @Test func collectRequestsWithForceIgnoresMarks() {
        var w = window(holding: [0, 3, 4, 8])
        #expect(requests(&w, ackSeq: 5, drained: 0) == [IndexRange(1, 3), IndexRange(5, 8)])
        #expect(requests(&w, ackSeq: 6, drained: 0, force: true) == [IndexRange(1, 3), IndexRange(5, 8)])
        #expect(requests(&w, ackSeq: 7, drained: 5) == [])       // marked by 6 now
    }

    /// A slot requested and then received is no longer requested; only the rest of its run is.
    @Test func receivedSlotsLeaveTheRequests() {
        var w = window(holding: [0, 8])
        #expect(requests(&w, ackSeq: 2, drained: 0) == [IndexRange(1, 8)])
        _ = w.store(g.number(at: 4), at: 4)
        #expect(requests(&w, ackSeq: 3, drained: 2) == [IndexRange(1, 4), IndexRange(5, 8)])
    }

    /// Newly missing numbers (never asked) are eligible even while older requests are pending.
    @Test func neverRequestedSlotsAreAlwaysEligible() {
        var w = window(holding: [0, 4])
        #expect(requests(&w, ackSeq: 2, drained: 0) == [IndexRange(1, 4)])
        _ = w.store(g.number(at: 9), at: 9)                        // 5…8 now missing too
        #expect(requests(&w, ackSeq: 3, drained: 0) == [IndexRange(5, 9)])
    }

    @Test func collectRequestsHonoursTheLimitAndMarksOnlyWhatItListed() {
        var w = window(holding: [0, 2, 4, 6, 8, 10])
        #expect(w.missing == 5)
        #expect(requests(&w, limit: 2, ackSeq: 3, drained: 0) == [IndexRange(1, 2), IndexRange(3, 4)])
        // The ranges beyond the limit were not marked: the next ACK asks for them.
        #expect(requests(&w, limit: 2, ackSeq: 4, drained: 0) == [IndexRange(5, 6), IndexRange(7, 8)])
        #expect(requests(&w, limit: 2, ackSeq: 5, drained: 0) == [IndexRange(9, 10)])
        #expect(requests(&w, limit: 2, ackSeq: 6, drained: 0) == [])
    }

    @Test func collectRequestsUpToHighestSetByATrailer() {
        var w = window(holding: [0, 1, 2])
        #expect(requests(&w, ackSeq: 2, drained: 0) == [])       // nothing missing
        w.highest = 10
        #expect(requests(&w, ackSeq: 3, drained: 0) == [IndexRange(3, 10)])
    }

    /// Runs of 64 present numbers are skipped a word at a time; holes on both sides are found.
    @Test func collectRequestsAcrossFullWords() {
        var w = window(capacity: 512, holding: Array(1..<300) + [301])
        #expect(w.cumulative == 0)
        #expect(w.missing == 2)
        #expect(requests(&w, ackSeq: 2, drained: 0) == [IndexRange(0, 1), IndexRange(300, 301)])
        _ = w.store(g.number(at: 0), at: 0); w.advance()
        #expect(w.cumulative == 300)
        #expect(requests(&w, ackSeq: 3, drained: 0) == [])       // 300 asked by 2, not drained
        #expect(requests(&w, ackSeq: 4, drained: 2) == [IndexRange(300, 301)])
    }

    /// ackSeq comparison wraps (serial-number arithmetic): 1 is newer than 0xFFFFFFF0.
    @Test func drainedComparisonWraps() {
        var w = window(holding: [0, 5])
        #expect(requests(&w, ackSeq: 0xFFFF_FFF0, drained: 0xFFFF_FF00) == [IndexRange(1, 5)])
        #expect(requests(&w, ackSeq: 2, drained: 0xFFFF_FFEF) == [])
        #expect(requests(&w, ackSeq: 3, drained: 1) == [IndexRange(1, 5)])
        #expect(isNewer(1, than: 0xFFFF_FFF0))
        #expect(!isNewer(0xFFFF_FFF0, than: 1))
        #expect(!isNewer(5, than: 5))
    }
}
