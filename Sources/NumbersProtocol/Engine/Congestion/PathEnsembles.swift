/// What the live sessions from one host have learnt of the path they share: the smallest minimum
/// round trip any of them has measured, the background loss the latest of them reported, and the
/// sum of their bandwidth estimates (`HostBandwidth`, which the controllers update themselves).
/// A session that starts while its neighbours already fill the bottleneck's queue measures that
/// queue in its first round; taken as the path's minimum, it hides every later queue from the
/// session, which then floods it (PROTOCOL.md §8.8, Sessions from one host). Sharing what
/// concurrent connections to one host learnt is RFC 9040's "ensemble sharing".
///
/// Keyed by the client's address without its port, as it was when the session's controller was
/// made (a session that moves later stays with its first host): sessions from one machine share
/// its access link, which is where a lab's bottleneck usually sits. Sessions from different hosts share
/// nothing, and a late joiner among them can still take a full queue for its path.
struct PathEnsembles {
    /// A host: its address with the port set to 0.
    typealias Host = PeerAddress

    private static func host(of address: PeerAddress) -> Host {
        var host = address
        host.port = 0
        return host
    }

    private struct Entry {
        var members = 0
        /// The smallest minimum reported, and when it was measured (not when it was reported: a
        /// session that started from it reports it again, and must not make it young).
        var minRTT: Nanoseconds?
        var minRTTAt = Instant.zero
        var backgroundLoss: Double?
        let bandwidth = HostBandwidth()
    }

    /// A shared minimum measured longer ago than this is not given to a new session (and is
    /// replaced by the next member's report), as a controller's own minimum expires.
    static let minRTTLifetime = Nanoseconds.seconds(10 as UInt64)

    /// One entry per host with a live controller, and one host per controller: both bounded by the
    /// server's sessions, and each gone with the last of its members.
    private var entries: [Host: Entry] = [:]
    private var hostOf: [ClientID: Host] = [:]

    var hosts: Int { entries.count }
    /// Reports taken by `learn`, for the tests of who reports how often.
    private(set) var reports = 0

    /// A session from `address` gets a controller: what its host's sessions share, if fresh.
    mutating func join(_ id: ClientID, from address: PeerAddress, now: Instant) -> SharedPath? {
        let host = Self.host(of: address)
        if let previous = hostOf.updateValue(host, forKey: id) { release(previous) }
        var entry = entries[host] ?? Entry()
        entry.members += 1
        entries[host] = entry
        guard let m = entry.minRTT, now - entry.minRTTAt < Self.minRTTLifetime else { return nil }
        return SharedPath(minRTT: m, measuredAt: entry.minRTTAt, backgroundLoss: entry.backgroundLoss)
    }

    /// A member's controller reports what it has learnt.
    mutating func learn(_ id: ClientID, _ path: SharedPath?, now: Instant) {
        guard let path, let host = hostOf[id], var entry = entries[host] else { return }
        reports += 1
        let newLoss = path.backgroundLoss != nil && path.backgroundLoss != entry.backgroundLoss
        let replaces: Bool
        if let m = entry.minRTT {
            replaces = path.minRTT < m || (path.minRTT == m && path.measuredAt > entry.minRTTAt)
                || now - entry.minRTTAt >= Self.minRTTLifetime
        } else {
            replaces = true
        }
        // A repeated report (`CongestionTable.reportRefresh`) changes nothing unless the minimum expired.
        guard newLoss || replaces else { return }
        if newLoss { entry.backgroundLoss = path.backgroundLoss }
        if replaces {
            entry.minRTT = path.minRTT
            entry.minRTTAt = path.measuredAt
        }
        entries[host] = entry
    }

    /// The summed estimates of the host `id` joined from.
    func bandwidth(of id: ClientID) -> HostBandwidth? {
        hostOf[id].flatMap { entries[$0]?.bandwidth }
    }

    mutating func leave(_ id: ClientID) {
        if let host = hostOf.removeValue(forKey: id) { release(host) }
    }

    private mutating func release(_ host: Host) {
        guard var entry = entries[host] else { return }
        entry.members -= 1
        assert(entry.members >= 0, "a host left more often than it joined")
        if entry.members <= 0 { entries.removeValue(forKey: host) } else { entries[host] = entry }
    }
}

/// What one session's controller can tell the next session from its host.
public struct SharedPath: Sendable, Hashable {
    public var minRTT: Nanoseconds
    /// When `minRTT` was measured: it expires that long after, whoever holds it.
    public var measuredAt: Instant
    /// Nil until the controller has learnt one.
    public var backgroundLoss: Double?
    public init(minRTT: Nanoseconds, measuredAt: Instant, backgroundLoss: Double?) {
        self.minRTT = minRTT; self.measuredAt = measuredAt; self.backgroundLoss = backgroundLoss
    }
}
