import Glibc

/// The kernel-facing part of a `ReceiveBatch` or `SendBatch`: `capacity` buffers of `bufferSize`
/// bytes, each with its iovec, its mmsghdr and a socket-address slot, allocated and wired
/// together once. Plain pointers: the batch that holds it frees it in its deinit.
struct MessageSlots {
    let storage: UnsafeMutableRawPointer
    let vectors: UnsafeMutablePointer<iovec>
    let headers: UnsafeMutablePointer<MultiMessageHeader>
    let addresses: UnsafeMutablePointer<sockaddr_storage>

    /// Each iovec starts `vectorLength` bytes long: the whole buffer to receive into, 0 for a
    /// datagram not yet written. `zeroed` clears the buffers (a send batch may repeat one unwritten).
    init(capacity: Int, bufferSize: Int, vectorLength: Int, zeroed: Bool) {
        precondition(MultiMessageHeader.matchesKernelLayout, "struct mmsghdr layout differs from the one assumed")
        storage = .allocate(byteCount: capacity * bufferSize, alignment: 16)
        if zeroed { storage.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * bufferSize) }
        vectors = .allocate(capacity: capacity)
        headers = .allocate(capacity: capacity)
        addresses = .allocate(capacity: capacity)
        addresses.initialize(repeating: sockaddr_storage(), count: capacity)
        for index in 0..<capacity {
            vectors[index] = iovec(iov_base: storage + index * bufferSize, iov_len: vectorLength)
            var header = msghdr()
            header.msg_name = UnsafeMutableRawPointer(addresses + index)
            header.msg_iov = vectors + index
            header.msg_iovlen = 1
            headers[index] = MultiMessageHeader(header: header, length: 0)
        }
    }

    func deallocate() {
        storage.deallocate()
        vectors.deallocate()
        headers.deallocate()
        addresses.deallocate()
    }
}
