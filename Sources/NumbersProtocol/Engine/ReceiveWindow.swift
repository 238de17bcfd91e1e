/// The client's reassembly buffer: a ring of `capacity` slots covering indices
/// [`cumulative`, `cumulative + capacity`). Numbers are folded into the running checksum in index
/// order as soon as they become contiguous, so the client holds O(window) state whatever n is.
struct ReceiveWindow {
    let capacity: UInt32          // a power of two
    private let mask: UInt32
    private var values: [UInt32]
    private var present: [UInt64]
    /// For each missing slot, the ackSeq of the ACK that last asked for it (0: never asked).
    private var requestedBy: [UInt32]

    /// Every index below this has been received and folded into `checksum`.
    private(set) var cumulative: UInt32 = 0
    /// The end of what the client knows was sent (see AckMessage.highest).
    var highest: UInt32 = 0
    private(set) var checksum = SequenceChecksum()
    /// Received numbers above `cumulative` (so `highest − cumulative − buffered` are missing).
    private(set) var buffered: UInt32 = 0

    enum Outcome { case stored, duplicate, outsideWindow }

    init(capacity requested: UInt32) {
        var c: UInt32 = 64
        while c < requested { c <<= 1 }
        capacity = c
        mask = c - 1
        values = Array(repeating: 0, count: Int(c))
        present = Array(repeating: 0, count: Int(c / 64))
        requestedBy = Array(repeating: 0, count: Int(c))
    }

    var missing: UInt32 { highest - cumulative - buffered }

    @inline(__always) private func isPresent(_ index: UInt32) -> Bool {
        let slot = index & mask
        return present[Int(slot >> 6)] & (1 << UInt64(slot & 63)) != 0
    }

    mutating func store(_ value: UInt32, at index: UInt32) -> Outcome {
        if index < cumulative { return .duplicate }
        if index - cumulative >= capacity { return .outsideWindow }
        let slot = index & mask
        let bit: UInt64 = 1 << UInt64(slot & 63)
        if present[Int(slot >> 6)] & bit != 0 { return .duplicate }
        present[Int(slot >> 6)] |= bit
        values[Int(slot)] = value
        requestedBy[Int(slot)] = 0
        buffered += 1
        if index >= highest { highest = index + 1 }
        return .stored
    }

    /// Whether a datagram starting at `index` can skip the buffer: it continues the in-order
    /// prefix and nothing is buffered beyond it (the common case without loss).
    func canFoldDirectly(at index: UInt32) -> Bool {
        index == cumulative && buffered == 0
    }

    /// Folds numbers that start exactly at `cumulative` straight into the checksum; returns how
    /// many. Slots stay empty, which is what they must be below `cumulative`.
    /// A `digest` of exactly these numbers spares reading them again.
    mutating func foldInOrder(bigEndianNumbers bytes: UnsafeRawBufferPointer, digest: NumbersDigest? = nil) -> UInt32 {
        precondition(buffered == 0 && bytes.count % 4 == 0)
        let count = UInt32(bytes.count / 4)
        if let digest, digest.count == count { checksum.add(digest) } else { checksum.add(bigEndianNumbers: bytes) }
        // A slot reused for a later index must not inherit an old request mark: the slots of
        // `cumulative ..< cumulative + count` are cleared as at most two runs of the ring.
        let first = Int(cumulative & mask)
        let run = min(Int(count), Int(capacity) - first)
        requestedBy.withUnsafeMutableBufferPointer { marks in
            marks.baseAddress!.advanced(by: first).update(repeating: 0, count: run)
            if run < Int(count) { marks.baseAddress!.update(repeating: 0, count: Int(count) - run) }
        }
        cumulative += count
        if cumulative > highest { highest = cumulative }
        return count
    }

    /// Folds every contiguous number at the front into the checksum.
    mutating func advance() {
        while buffered > 0 && isPresent(cumulative) {
            let slot = cumulative & mask
            checksum.add(values[Int(slot)])
            present[Int(slot >> 6)] &= ~(1 << UInt64(slot & 63))
            buffered -= 1
            cumulative += 1
        }
    }

    /// Missing ranges in [cumulative, highest) that may be requested now: never requested, or
    /// requested by an ACK whose requests the server has since finished sending (`drained`), or
    /// any missing at all when `force` (a probe after silence). Marks them as requested by `ackSeq`.
    mutating func collectRequests(into ranges: inout [IndexRange], limit: Int, ackSeq: UInt32, drained: UInt32, force: Bool) {
        ranges.removeAll(keepingCapacity: true)
        guard missing > 0 else { return }
        var i = cumulative
        var runStart: UInt32? = nil
        // Only indices the buffer can hold may be asked for: beyond it slots would alias, and
        // after a TRAILER `highest` may lie billions of indices ahead.
        let end = UInt32(min(UInt64(highest), UInt64(cumulative) + UInt64(capacity)))
        while i < end && ranges.count < limit {
            let slot = i & mask
            let word = present[Int(slot >> 6)]
            if word == .max && slot & 63 == 0 && end - i >= 64 {
                if let s = runStart { ranges.append(IndexRange(s, i)); runStart = nil }
                i += 64
                continue
            }
            let eligible: Bool
            if word & (1 << UInt64(slot & 63)) != 0 {
                eligible = false
            } else {
                let by = requestedBy[Int(slot)]
                eligible = force || by == 0 || !isNewer(by, than: drained)
            }
            if eligible {
                if runStart == nil { runStart = i }
                requestedBy[Int(slot)] = ackSeq
            } else if let s = runStart {
                ranges.append(IndexRange(s, i)); runStart = nil
            }
            i += 1
        }
        if let s = runStart, ranges.count < limit { ranges.append(IndexRange(s, i)) }
    }
}
