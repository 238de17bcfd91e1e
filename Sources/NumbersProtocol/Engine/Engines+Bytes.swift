/// Safe forms of the engines' input and output, for callers that hold their datagrams in arrays.
/// They cost a copy per datagram, so the loops use the pointer forms; the behaviour is the same.
extension ClientEngine {
    /// `handle(_:from:now:)` for a datagram held in any contiguous collection of bytes.
    public mutating func handle(_ bytes: some Collection<UInt8>, from source: PeerAddress, now: Instant) {
        let array = Array(bytes)
        array.withUnsafeBytes { handle($0, from: source, now: now) }
    }

    /// `poll(now:into:)` returning the datagram's bytes (sent to `config.server`); nil when
    /// nothing is due.
    public mutating func poll(now: Instant) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
        guard let length = buffer.withUnsafeMutableBytes({ poll(now: now, into: $0) }) else { return nil }
        buffer.removeLast(buffer.count - length)
        return buffer
    }
}

extension ServerEngine {
    /// `handle(_:from:now:)` for a datagram held in any collection of bytes.
    public mutating func handle(_ bytes: some Collection<UInt8>, from source: PeerAddress, now: Instant) {
        let array = Array(bytes)
        array.withUnsafeBytes { handle($0, from: source, now: now) }
    }

    /// `poll(now:into:)` returning the datagram's bytes and where they go; nil when nothing is due.
    public mutating func poll(now: Instant) -> (bytes: [UInt8], destination: PeerAddress)? {
        var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
        guard let transmit = buffer.withUnsafeMutableBytes({ poll(now: now, into: $0) }) else { return nil }
        buffer.removeLast(buffer.count - transmit.length)
        return (buffer, transmit.destination)
    }
}
