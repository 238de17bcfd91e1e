import NumbersProtocol

/// A copy held back for reordering: it goes right after the `target`-th normally scheduled copy,
/// or at `timeout`, whichever comes first.
struct ReorderedDatagram: Sendable {
    var target: UInt64
    var timeout: Instant
    var destination: PeerAddress
    var bytes: [UInt8]
}

/// The copies held for reordering, in the order they were held.
///
/// Timeouts never decrease along the list (enforced in `hold`), so timed-out entries are a prefix.
/// `removeOvertaken` scans the whole list, but an entry is released after at most 3 scans (its
/// target is at most 3 datagrams ahead), so the cost is O(1) amortized per entry.
struct ReorderHold: Sendable {
    private var items: [ReorderedDatagram] = []
    /// Copies scheduled normally (not held for reordering) so far.
    private(set) var passed: UInt64 = 0

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var earliestTimeout: Instant? { items.first?.timeout }

    /// Holds a copy until `after` (1–3) more copies have been scheduled normally, or `timeout`.
    mutating func hold(_ bytes: [UInt8], to destination: PeerAddress, after: UInt64, timeout: Instant) {
        // A clock that stepped back must not put a timeout before an earlier one.
        let timeout = max(timeout, items.last?.timeout ?? timeout)
        items.append(ReorderedDatagram(target: passed + after, timeout: timeout,
                                       destination: destination, bytes: bytes))
    }

    /// Records one normally scheduled copy and moves the entries it completes into `out`,
    /// in hold order.
    mutating func notePassed(into out: inout [ReorderedDatagram]) {
        passed += 1
        guard !items.isEmpty else { return }
        var kept = 0
        for i in items.indices {
            if items[i].target <= passed {
                out.append(items[i])
            } else {
                if kept != i { items.swapAt(kept, i) }
                kept += 1
            }
        }
        items.removeLast(items.count - kept)
    }

    /// Moves the entries whose timeout is at or before `now` into `out`, in hold order.
    mutating func removeTimedOut(now: Instant, into out: inout [ReorderedDatagram]) {
        var n = 0
        while n < items.count && items[n].timeout <= now {
            out.append(items[n])
            n += 1
        }
        items.removeFirst(n)
    }
}
