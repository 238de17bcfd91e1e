import NumbersProtocol

/// A bottleneck link: a drop-tail queue of `queueLimit` bytes in front of a link of `bitsPerSecond`,
/// then `propagation` of one-way delay, as `tc qdisc … tbf rate R limit L` plus a long wire.
/// Every datagram occupies `datagram bytes + overhead` on the link (the IPv4 and UDP headers by
/// default), so rates compare with what a kernel qdisc counts.
package struct BottleneckLink: Sendable, Equatable, CustomStringConvertible {
    package var bitsPerSecond: UInt64
    package var queueLimit: Int
    package var propagation: Nanoseconds
    package var overhead: Int

    /// The IPv4 header (20 bytes) and the UDP header (8 bytes).
    package static let ipv4UDPOverhead = 28
    /// Bounds that keep the fluid arithmetic exact: 1 kbit/s to 100 Gbit/s, queues up to 1 GB.
    package static let rateRange: ClosedRange<UInt64> = 1_000...100_000_000_000
    package static let maxQueueLimit = 1 << 30

    package init(bitsPerSecond: UInt64, queueLimit: Int, propagation: Nanoseconds = .zero,
                overhead: Int = BottleneckLink.ipv4UDPOverhead) {
        self.bitsPerSecond = bitsPerSecond; self.queueLimit = queueLimit
        self.propagation = propagation; self.overhead = overhead
    }

    /// Time the link takes to put `bytes` (overhead included) on the wire.
    package func transmissionTime(bytes: Int) -> Nanoseconds {
        Nanoseconds((UInt64(bytes + overhead) * 8 * 1_000_000_000 + bitsPerSecond - 1) / bitsPerSecond)
    }

    /// - Throws: the first setting out of its range.
    package func validate() throws(ImpairmentError) {
        if !Self.rateRange.contains(bitsPerSecond) { throw .bottleneckRateOutOfRange(bitsPerSecond) }
        if queueLimit < 1 || queueLimit > Self.maxQueueLimit { throw .bottleneckQueueOutOfRange(queueLimit) }
        if propagation > ImpairmentConfig.maxDelay { throw .bottleneckPropagationTooLong(propagation) }
        if overhead < 0 || overhead > 1_000 { throw .bottleneckOverheadOutOfRange(overhead) }
    }

    package var description: String {
        "bottleneck \(Double(bitsPerSecond) / 1e6) Mbit/s, queue \(queueLimit) B, propagation \(propagation)"
    }
}

/// The link's state: one instant, the time it finishes sending everything admitted so far. The
/// backlog at `now` (the bytes a qdisc would hold, the one being sent included) follows from it.
struct BottleneckState: Sendable {
    var busyUntil = Instant.zero

    /// Bytes still queued or being sent at `now`.
    func backlog(_ link: BottleneckLink, now: Instant) -> Int {
        let busy = busyUntil - now
        return Int((UInt64(busy.value) * link.bitsPerSecond / 8 + 999_999_999) / 1_000_000_000)
    }

    /// Admits a datagram of `bytes` at `now` and returns when it has crossed the link (sent and
    /// propagated), or nil when the queue cannot hold it (drop-tail).
    mutating func admit(_ link: BottleneckLink, bytes: Int, now: Instant) -> Instant? {
        let size = bytes + link.overhead
        if backlog(link, now: now) + size > link.queueLimit { return nil }
        busyUntil = max(busyUntil, now) + link.transmissionTime(bytes: bytes)
        return busyUntil + link.propagation
    }
}
