/// What the model did, per outcome. Every offered datagram ends in exactly one of `failed`,
/// `offlineDropped`, `dropped`, `burstDropped`; or goes on as one copy (two when duplicated), and
/// each copy is then emitted (`delivered`), still held, `queueDropped` or `overflowDropped`.
package struct ImpairmentCounters: Sendable, Equatable {
    /// Datagrams passed to `offer`.
    package var offered: UInt64 = 0
    /// Copies handed to `emit`, immediately or later.
    package var delivered: UInt64 = 0
    /// Lost to the independent `dropRate`.
    package var dropped: UInt64 = 0
    /// Lost to the Gilbert–Elliott chain.
    package var burstDropped: UInt64 = 0
    /// Failed by `failEvery`.
    package var failed: UInt64 = 0
    /// Offered while offline.
    package var offlineDropped: UInt64 = 0
    /// Offline periods started.
    package var offlinePeriods: UInt64 = 0
    /// Inbound datagrams the shell ignored while offline (reported via `noteInboundIgnored`).
    package var inboundIgnored: UInt64 = 0
    /// Extra copies made.
    package var duplicated: UInt64 = 0
    /// Copies held back for reordering.
    package var reordered: UInt64 = 0
    /// Datagrams with bits flipped.
    package var corrupted: UInt64 = 0
    /// Copies kept to be released later than they were offered (not counting reordered ones).
    package var delayed: UInt64 = 0
    /// Copies discarded because the held queue was full.
    package var overflowDropped: UInt64 = 0
    /// Copies dropped by the bottleneck link's full queue (drop-tail).
    package var queueDropped: UInt64 = 0

    package init() {}

    /// Three log lines prefixed with `label`.
    package func summary(label: String) -> String {
        func pct(_ n: UInt64) -> String { "\(n) (\(Percent.text(n, of: offered)))" }
        return """
        \(label): offered \(offered), delivered \(delivered), dropped \(pct(dropped)), \
        burst-dropped \(pct(burstDropped)), overflow-dropped \(overflowDropped)\
        \(queueDropped > 0 ? ", queue-dropped \(pct(queueDropped))" : "")
        \(label): failed \(failed), offline-dropped \(offlineDropped) in \(offlinePeriods) periods, \
        inbound ignored \(inboundIgnored)
        \(label): duplicated \(pct(duplicated)), reordered \(pct(reordered)), \
        corrupted \(pct(corrupted)), delayed \(delayed)
        """
    }

    /// `summary(label: "impairment")`.
    package var summary: String { summary(label: "impairment") }
}
