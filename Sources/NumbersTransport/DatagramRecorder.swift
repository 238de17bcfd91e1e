import Glibc
import NumbersImpairment
import NumbersProtocol

/// What a loop reports about each datagram to the experimenter's instruments (-trace, -pcap):
/// sent (as it left the socket, after the simulator), received (with the verdict), and what the
/// simulator did to what the engine offered. Used by the loop's thread only.
///
/// A loop without one pays a nil check per datagram; with one, the records go into buffers
/// written every megabyte, and nothing is allocated per datagram (an IPv6 peer's text aside).
package final class DatagramRecorder {
    package enum Side: String, Sendable { case client, server }

    private let trace: DatagramTrace?
    private let pcap: PcapWriter?
    private let goOfflineFor: Nanoseconds
    /// The engine's count of well-formed datagrams it dropped, read before and after each
    /// delivery to tell an accepted datagram from a rejected one. Set by the loop.
    var invalidCount: () -> UInt64 = { 0 }
    private var invalidBefore: UInt64 = 0

    /// - Parameters:
    ///   - origin: the instant trace times count from, on the clock the loop reads.
    ///   - peer: the client's server (a server's trace names the peer on every line instead).
    package init(side: Side, origin: Instant, local: PeerAddress, peer: PeerAddress?, impairment: ImpairmentConfig,
                tracePath: String?, pcapPath: String?) throws(InstrumentError) {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let unixMicros = UInt64(wall.tv_sec) * 1_000_000 + UInt64(wall.tv_nsec) / 1_000
        trace = try tracePath.map { (path) throws(InstrumentError) in
            try DatagramTrace(path: path, side: side.rawValue, origin: origin, local: local, peer: peer, unixMicros: unixMicros,
                              simulator: impairment.isTransparent ? nil : "\(impairment)")
        }
        pcap = try pcapPath.map { (path) throws(InstrumentError) in
            try PcapWriter(path: path, local: local, peer: peer, unixMicros: unixMicros, origin: origin)
        }
        goOfflineFor = impairment.goOfflineFor
    }

    /// Writes what is buffered and closes the files; the first write error, if any.
    package func close() -> String? {
        trace?.close()
        pcap?.close()
        return trace?.failure ?? pcap?.failure
    }

    func sent(_ bytes: UnsafeRawBufferPointer, to peer: PeerAddress, now: Instant) {
        trace?.record("send", bytes, peer: peer, now: now)
        pcap?.record(bytes, outgoing: true, peer: peer, now: now)
    }

    /// A session's congestion controller changed phase.
    func congestion(_ event: CongestionEvent) { trace?.congestion(event) }

    /// Before a datagram goes to the engine.
    func arriving(_ bytes: UnsafeRawBufferPointer, from peer: PeerAddress, now: Instant) {
        pcap?.record(bytes, outgoing: false, peer: peer, now: now)
        if trace != nil { invalidBefore = invalidCount() }
    }

    /// After the engine had it: accepted, or rejected because it does not decode or is not valid here.
    func delivered(_ bytes: UnsafeRawBufferPointer, from peer: PeerAddress, now: Instant) {
        guard let trace else { return }
        let decoded = WireDecoder.decode(bytes)
        if case .failure(let error) = decoded {
            trace.record("reject", bytes, peer: peer, now: now, reason: error.key, decoded: decoded)
        } else if invalidCount() != invalidBefore {
            trace.record("reject", bytes, peer: peer, now: now, reason: "invalid", decoded: decoded)
        } else {
            trace.record("recv", bytes, peer: peer, now: now, decoded: decoded)
        }
    }

    /// A datagram dropped before the engine saw it: `offline` (the simulator's outage). Oversize ones
    /// go on to the engine, which counts them as badSize.
    func ignored(_ bytes: UnsafeRawBufferPointer, from peer: PeerAddress, now: Instant, reason: StaticString) {
        pcap?.record(bytes, outgoing: false, peer: peer, now: now)
        trace?.record("reject", bytes, peer: peer, now: now, reason: reason)
    }

    /// What the simulator did with one offered datagram, from its counters before and after.
    func simulated(_ bytes: UnsafeRawBufferPointer, to peer: PeerAddress, now: Instant,
                   before: ImpairmentCounters, after: ImpairmentCounters) {
        guard let trace else { return }
        if after.offlinePeriods > before.offlinePeriods { trace.offline(now: now, until: now + goOfflineFor) }
        let drop: StaticString? =
            after.offlineDropped > before.offlineDropped ? "offline"
            : after.failed > before.failed ? "fail"
            : after.dropped > before.dropped ? "loss"
            : after.burstDropped > before.burstDropped ? "burst"
            : after.queueDropped > before.queueDropped ? "queue"
            : after.overflowDropped > before.overflowDropped ? "overflow" : nil
        if let drop { trace.record("drop", bytes, peer: peer, now: now, reason: drop) }
        if after.corrupted > before.corrupted { trace.record("corrupt", bytes, peer: peer, now: now) }
        if after.duplicated > before.duplicated { trace.record("duplicate", bytes, peer: peer, now: now) }
        if after.reordered > before.reordered { trace.record("hold", bytes, peer: peer, now: now, reason: "reorder") }
        if after.delayed > before.delayed { trace.record("hold", bytes, peer: peer, now: now, reason: "delay") }
    }
}
