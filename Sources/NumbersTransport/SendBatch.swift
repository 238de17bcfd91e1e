import Glibc
import NumbersProtocol

/// Preallocated outgoing datagrams for one `sendmmsg` call: `capacity` buffers of `bufferSize`
/// bytes with their destinations, iovecs and message headers, allocated once, so that queueing
/// and sending never allocate. Not thread-safe: one per sending loop.
package final class SendBatch {
    package static let defaultCapacity = 64

    package let capacity: Int
    package let bufferSize: Int
    /// Datagrams queued and not yet sent.
    package private(set) var count = 0

    private let slots: MessageSlots
    private let destinations: UnsafeMutablePointer<PeerAddress>
    var headers: UnsafeMutablePointer<MultiMessageHeader> { slots.headers }
    /// The same datagrams grouped for segmentation offload, when the socket uses it.
    let runs: SegmentRuns

    package init(capacity: Int = SendBatch.defaultCapacity, bufferSize: Int = Limits.maxDatagramSize) {
        precondition(capacity > 0 && bufferSize > 0, "a send batch needs room for at least one byte")
        self.capacity = capacity
        self.bufferSize = bufferSize
        slots = MessageSlots(capacity: capacity, bufferSize: bufferSize, vectorLength: 0, zeroed: true)
        destinations = .allocate(capacity: capacity)
        destinations.initialize(repeating: PeerAddress(family: .ipv4, port: 0, high: 0, low: 0), count: capacity)
        runs = SegmentRuns(capacity: capacity)
    }

    deinit {
        slots.deallocate()
        destinations.deallocate()
        runs.deallocate()
    }

    package var isEmpty: Bool { count == 0 }
    package var isFull: Bool { count == capacity }

    /// The buffer the next datagram is written into, or nil when the batch is full. Its previous
    /// contents are left as they were, so a sender repeating a datagram need not rewrite it.
    package var nextBuffer: UnsafeMutableRawBufferPointer? {
        isFull ? nil : UnsafeMutableRawBufferPointer(start: slots.storage + count * bufferSize, count: bufferSize)
    }

    /// Queues the first `length` bytes of `nextBuffer` for `destination`.
    package func commit(length: Int, to destination: PeerAddress) {
        precondition(!isFull, "commit on a full send batch")
        precondition(length >= 0 && length <= bufferSize, "datagram length outside the buffer")
        slots.vectors[count].iov_len = length
        destinations[count] = destination
        count += 1
    }

    /// Lets `write` fill the next buffer and queues the length it returns (0 queues nothing).
    /// Returns false, without calling `write`, when the batch is full: send it, then retry.
    package func append<E: Error>(
        to destination: PeerAddress,
        _ write: (UnsafeMutableRawBufferPointer) throws(E) -> Int
    ) throws(E) -> Bool {
        guard let buffer = nextBuffer else { return false }
        let length = try write(buffer)
        if length > 0 { commit(length: length, to: destination) }
        return true
    }

    /// The queued bytes of datagram `index` (for inspection, logging and impairment).
    package func bytes(at index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return UnsafeRawBufferPointer(start: slots.storage + index * bufferSize, count: slots.vectors[index].iov_len)
    }

    package func destination(at index: Int) -> PeerAddress {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return destinations[index]
    }

    /// Forgets every queued datagram; the buffers stay allocated.
    package func removeAll() { count = 0 }

    /// Writes the socket addresses in the form the sending socket's family needs.
    func prepareForSend(from family: PeerAddress.Family) {
        for index in 0..<count {
            headers[index].header.msg_namelen = destinations[index].write(to: slots.addresses + index, for: family)
            headers[index].header.msg_flags = 0
        }
    }

    /// After `prepareForSend`: groups the queued datagrams into runs for one segmented send each
    /// (`SegmentRuns`) and returns how many runs there are.
    func buildRuns() -> Int {
        let vectors = slots.vectors, destinations = self.destinations
        return runs.build(count: count, datagramHeaders: headers,
                          length: { vectors[$0].iov_len },
                          sameDestination: { destinations[$0] == destinations[$1] })
    }
}
