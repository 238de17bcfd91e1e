import NumbersProtocol

/// The one impairment model: in the send path of the real server and client, and the network of
/// the deterministic simulation (one instance per direction).
///
/// A pure value: it reads no clock (every call takes `now`), owns no socket (datagrams leave
/// through the `emit` closure), and draws all randomness from SplitMix64 streams seeded by
/// `config.seed`. The same config and the same calls give the same emitted sequence.
///
/// Stages per offered datagram, in order: offline check → failEvery → loss (drop, then
/// Gilbert–Elliott) → corruption → duplication → reorder/delay scheduling (details on
/// `ImpairmentConfig`). Copies not due at once are kept inside and come out of `releaseDue`;
/// the shell should wake at `nextDeadline`.
///
/// `emit` must not call back into this value (it is being mutated while `emit` runs).
package struct Impairment: Sendable {
    package let config: ImpairmentConfig
    /// True when the config does nothing: the shell may bypass the model entirely.
    package let isTransparent: Bool
    package internal(set) var counters = ImpairmentCounters()

    var random: ImpairmentRandom
    var burstChain: GilbertElliottChain?
    /// Datagrams counted towards `failEvery` since the last failure.
    var sinceFailure: UInt64 = 0
    /// The current (or last) offline period: [offlineFrom, offlineUntil).
    var offlineFrom = Instant.zero
    var offlineUntil = Instant.zero
    var heap = ReleaseHeap()
    var reorder = ReorderHold()
    var link = BottleneckState()
    /// Emptied byte arrays kept for reuse, so holding a copy rarely allocates.
    var spare: [[UInt8]] = []
    /// Reusable buffer for the corrupted copy of the datagram being offered.
    var corruptScratch: [UInt8] = []
    /// Reusable list for reordered copies leaving the hold.
    var releasedScratch: [ReorderedDatagram] = []

    static let spareLimit = 1_024

    package init(_ config: ImpairmentConfig) {
        self.config = config
        isTransparent = config.isTransparent
        random = ImpairmentRandom(seed: config.seed)
        burstChain = config.burst.map(GilbertElliottChain.init)
    }

    /// Copies held inside (delayed or reordered), at most `config.heldLimit`.
    package var heldCount: Int { heap.count + reorder.count }

    /// True during an offline period: the shell must also ignore inbound datagrams (and report
    /// each with `noteInboundIgnored`).
    package func isOffline(at now: Instant) -> Bool { offlineFrom <= now && now < offlineUntil }

    /// Counts one inbound datagram the shell ignored because `isOffline`.
    package mutating func noteInboundIgnored() { counters.inboundIgnored += 1 }

    /// Offers one outgoing datagram at `now`. Copies due now are passed to `emit` before this
    /// returns (the caller's bytes themselves when unchanged: no copy); others are copied and kept
    /// until `releaseDue`. Held copies already due are emitted first, so release order holds even
    /// when the shell offers before it releases.
    package mutating func offer(_ bytes: UnsafeRawBufferPointer, to destination: PeerAddress, now: Instant,
                               emit: (UnsafeRawBufferPointer, PeerAddress) -> Void) {
        counters.offered += 1
        if heldCount > 0 { releaseDue(now: now, emit: emit) }

        // Offline: not counted towards failEvery, so the schedule is N−1 sent, 1 failed, offline.
        if isOffline(at: now) { counters.offlineDropped += 1; return }

        if config.failEvery > 0 {
            sinceFailure += 1
            if sinceFailure == config.failEvery {
                sinceFailure = 0
                counters.failed += 1
                if config.goOfflineFor > .zero {
                    offlineFrom = now
                    offlineUntil = now + config.goOfflineFor
                    counters.offlinePeriods += 1
                }
                return
            }
        }

        // Both loss draws happen for every datagram, so the burst chain advances once per
        // datagram on the wire whatever dropRate is.
        let dropped = random.loss.chance(config.dropRate)
        let burstLost = burstChain?.loses(using: &random.burst) ?? false
        if dropped { counters.dropped += 1; return }
        if burstLost { counters.burstDropped += 1; return }

        guard !bytes.isEmpty, random.corrupt.chance(config.corruptRate) else {
            duplicateAndSchedule(bytes, to: destination, now: now, emit: emit)
            return
        }
        counters.corrupted += 1
        // Work on a local so `self` stays free to mutate while the copy's bytes are borrowed.
        var copy: [UInt8] = []
        swap(&copy, &corruptScratch)
        copy.removeAll(keepingCapacity: true)
        copy.append(contentsOf: bytes)
        copy.withUnsafeMutableBytes { _ = BitFlip.flip($0, using: &random.corrupt) }
        copy.withUnsafeBytes { duplicateAndSchedule($0, to: destination, now: now, emit: emit) }
        swap(&copy, &corruptScratch)
    }

    mutating func duplicateAndSchedule(_ bytes: UnsafeRawBufferPointer, to destination: PeerAddress, now: Instant,
                                       emit: (UnsafeRawBufferPointer, PeerAddress) -> Void) {
        if random.duplicate.chance(config.duplicateRate) {
            counters.duplicated += 1
            schedule(bytes, to: destination, now: now, emit: emit)
        }
        schedule(bytes, to: destination, now: now, emit: emit)
    }
}
