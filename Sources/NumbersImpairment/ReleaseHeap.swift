import NumbersProtocol

/// Copies waiting for their release time, ordered by (due, insertion order) so that copies due
/// at the same instant leave FIFO.
///
/// A `TimerQueue` of slot numbers over a slab of payloads: sifting moves 24-byte entries and
/// never touches (retains) the byte arrays, which matters with tens of thousands held.
struct ReleaseHeap: Sendable {
    private struct Payload: Sendable {
        var destination: PeerAddress
        var bytes: [UInt8]
    }

    private var keys = TimerQueue<Int>()
    private var slots: [Payload] = []
    private var freeSlots: [Int] = []

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    /// Release time of the earliest copy.
    var firstDue: Instant? { keys.top?.deadline }

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
        keys.push(due, slot)
    }

    /// Removes the earliest copy; its byte array is handed over (the slot keeps an empty one).
    mutating func popFirst() -> (destination: PeerAddress, bytes: [UInt8])? {
        guard let slot = keys.pop()?.value else { return nil }
        var bytes: [UInt8] = []
        swap(&bytes, &slots[slot].bytes)
        freeSlots.append(slot)
        return (slots[slot].destination, bytes)
    }
}
