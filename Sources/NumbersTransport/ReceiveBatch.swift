import Glibc
import NumbersProtocol

/// Preallocated landing area for one `recvmmsg` call: `capacity` buffers with their iovecs,
/// message headers and source-address slots, all allocated once in `init`, so that receiving
/// never allocates per datagram. Not thread-safe: one per receiving loop.
package final class ReceiveBatch {
    /// Buffers bigger than any valid datagram (1,200 bytes), so that an oversize one is still seen
    /// whole up to here and flagged rather than silently cut to a plausible length.
    package static let defaultBufferSize = 2_048
    package static let defaultCapacity = 64

    package let capacity: Int
    package let bufferSize: Int
    /// Datagrams held since the last `receive(into:)`.
    package internal(set) var count = 0

    private let slots: MessageSlots
    var headers: UnsafeMutablePointer<MultiMessageHeader> { slots.headers }

    package init(capacity: Int = ReceiveBatch.defaultCapacity, bufferSize: Int = ReceiveBatch.defaultBufferSize) {
        precondition(capacity > 0 && bufferSize > 0, "a receive batch needs room for at least one byte")
        self.capacity = capacity
        self.bufferSize = bufferSize
        slots = MessageSlots(capacity: capacity, bufferSize: bufferSize, vectorLength: bufferSize, zeroed: false)
    }

    deinit { slots.deallocate() }

    /// The kernel overwrites the name length and flags of each header it fills: restore them.
    func prepareForReceive() {
        count = 0
        for index in 0..<capacity {
            headers[index].header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            headers[index].header.msg_flags = 0
            headers[index].length = 0
        }
    }

    /// The bytes of datagram `index`, valid until the next receive into this batch.
    package func bytes(at index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return UnsafeRawBufferPointer(start: slots.storage + index * bufferSize, count: Int(headers[index].length))
    }

    /// Where datagram `index` came from.
    package func source(at index: Int) -> PeerAddress {
        precondition(index >= 0 && index < count, "datagram index out of range")
        // A UDP socket of family AF_INET/AF_INET6 only ever reports those families; port 0 is a
        // destination nothing can be sent to, so the fallback cannot leak anywhere.
        return PeerAddress(socketAddress: slots.addresses + index) ?? PeerAddress(family: .ipv4, port: 0, high: 0, low: 0)
    }

    /// True when datagram `index` did not fit its buffer and was cut: the caller must drop it.
    package func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return headers[index].header.msg_flags & Int32(MSG_TRUNC) != 0
    }

    /// True when datagram `index` is whole and no larger than the protocol allows.
    package func isAcceptable(at index: Int) -> Bool {
        !isTruncated(at: index) && Int(headers[index].length) <= Limits.maxDatagramSize
    }
}
