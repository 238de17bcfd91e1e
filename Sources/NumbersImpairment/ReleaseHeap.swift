import NumbersProtocol

/// Copies waiting for their release time, ordered by (due, insertion order) so that copies due
/// at the same instant leave FIFO.
///
/// A binary min-heap of small plain keys over a slab of payloads: sifting moves 24-byte keys and
/// never touches (retains) the byte arrays, which matters with tens of thousands held.
struct ReleaseHeap: Sendable {
    private struct Key: Sendable, HeapOrdered {
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

    private var keys = MinHeap<Key>()
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
        keys.push(Key(due: due, order: nextOrder, slot: slot))
        nextOrder += 1
    }

    /// Removes the earliest copy; its byte array is handed over (the slot keeps an empty one).
    mutating func popFirst() -> (destination: PeerAddress, bytes: [UInt8])? {
        guard let first = keys.popFirst() else { return nil }
        var bytes: [UInt8] = []
        swap(&bytes, &slots[first.slot].bytes)
        freeSlots.append(first.slot)
        return (slots[first.slot].destination, bytes)
    }
}
