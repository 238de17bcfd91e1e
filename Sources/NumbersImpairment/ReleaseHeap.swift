import NumbersProtocol

/// Copies waiting for their release time, ordered by (due, insertion order) so that copies due
/// at the same instant leave FIFO.
///
/// A binary min-heap of small plain keys over a slab of payloads: sifting moves 24-byte keys and
/// never touches (retains) the byte arrays, which matters with tens of thousands held.
struct ReleaseHeap: Sendable {
    private struct Key: Sendable {
        var due: Instant
        var order: UInt64
        var slot: Int

        @inline(__always)
        func precedes(_ other: Key) -> Bool {
            due != other.due ? due < other.due : order < other.order
        }
    }

    private struct Payload: Sendable {
        var destination: PeerAddress
        var bytes: [UInt8]
    }

    private var keys: [Key] = []
    private var slots: [Payload] = []
    private var freeSlots: [Int] = []
    private var nextOrder: UInt64 = 0

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    /// Release time of the earliest copy.
    var firstDue: Instant? { keys.first?.due }

    mutating func push(_ bytes: [UInt8], to destination: PeerAddress, due: Instant) {
        let payload = Payload(destination: destination, bytes: bytes)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = payload
        } else {
            slot = slots.count
            slots.append(payload)
        }
        keys.append(Key(due: due, order: nextOrder, slot: slot))
        nextOrder += 1
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[child].precedes(keys[parent]) else { break }
            keys.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the earliest copy; its byte array is handed over (the slot keeps an empty one).
    mutating func popFirst() -> (destination: PeerAddress, bytes: [UInt8])? {
        guard let first = keys.first else { return nil }
        keys.swapAt(0, keys.count - 1)
        keys.removeLast()
        var parent = 0
        let n = keys.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < n && keys[left].precedes(keys[best]) { best = left }
            if right < n && keys[right].precedes(keys[best]) { best = right }
            if best == parent { break }
            keys.swapAt(parent, best)
            parent = best
        }
        var bytes: [UInt8] = []
        swap(&bytes, &slots[first.slot].bytes)
        freeSlots.append(first.slot)
        return (slots[first.slot].destination, bytes)
    }
}
