/// The server's congestion controllers, one per session sending at full speed, created lazily at
/// its first full-speed send and dropped with the session. Kept beside the session store rather
/// than in the session record: a paced session at scale never has one, and its record stays small.
struct CongestionTable {
    /// A session's controller, and what it last told its host's ensemble and when: an ACK that
    /// changed neither its minimum round trip nor its background loss (most of them) reports
    /// nothing, so the ACK path makes one lookup here and none in `PathEnsembles`. The same report
    /// is repeated after `reportRefresh`, so that a host whose shared minimum expired takes a
    /// member's unchanged one within that long.
    private struct Slot {
        let controller: any CongestionController
        var reported: SharedPath?
        var reportedAt: Instant
    }
    static let reportRefresh = Nanoseconds.seconds(1 as UInt64)
    private var slots: [ClientID: Slot] = [:]
    var counters = CongestionCounters()
    private var ensembles = PathEnsembles()
    /// Sessions whose DATA waits for an ACK because their controller's window is full.
    private var held: Set<ClientID> = []
    private var events: [CongestionEvent] = []
    private var eventsRead = 0

    /// Trace events kept for `pollCongestionEvent` before further ones are dropped (and counted).
    static let maxEvents = 4_096
    /// A paced sender may catch up at most this far behind its schedule (a late wake-up), so it
    /// never bursts more than this much of its rate at once.
    static let catchUp = Nanoseconds.microseconds(250)
    /// A session held by a full window sends again after this long without an ACK: the client
    /// acknowledges within a quarter millisecond of the stream pausing, so this is reached only
    /// when ACKs are lost, and then one DATA per hold keeps the client's answers coming.
    static let windowHold = Nanoseconds.milliseconds(5)

    /// The session's controller, created now if the session sends at full speed and has none.
    mutating func controller(for id: ClientID, at address: PeerAddress, config: ServerConfig, now: Instant) -> (any CongestionController)? {
        guard config.interval == .zero, config.congestionControl != .none else { return nil }
        if let slot = slots[id] { return slot.controller }
        let shared = ensembles.join(id, from: address, now: now)
        guard let c = config.congestionControl.makeController(now: now, shared: shared, host: ensembles.bandwidth(of: id)) else {
            ensembles.leave(id)
            return nil
        }
        slots[id] = Slot(controller: c, reported: shared, reportedAt: now)
        counters.controllersCreated += 1
        if shared != nil { counters.sharedStarts += 1 }
        return c
    }

    func existing(_ id: ClientID) -> (any CongestionController)? { slots[id]?.controller }

    /// Sessions with a controller.
    var count: Int { slots.count }
    /// Reports the host ensembles have taken from the controllers.
    var ensembleReports: Int { ensembles.reports }
    /// The summed estimates of the host a session's controller joined.
    func hostBandwidth(of id: ClientID) -> HostBandwidth? { ensembles.bandwidth(of: id) }

    /// Gives a session this controller, as `controller(for:…)` would have made it, and returns
    /// what its host shared: for tests that drive the table with a controller of their own.
    @discardableResult
    mutating func install(_ controller: any CongestionController, for id: ClientID, at address: PeerAddress, now: Instant) -> SharedPath? {
        remove(id)
        let shared = ensembles.join(id, from: address, now: now)
        slots[id] = Slot(controller: controller, reported: shared, reportedAt: now)
        return shared
    }

    mutating func remove(_ id: ClientID) {
        if let slot = slots.removeValue(forKey: id) {
            slot.controller.onRemoved()
            counters.controllersReleased += 1
        }
        ensembles.leave(id)
        held.remove(id)
    }

    /// The send path's hook: the controller sees the datagram and the session's next DATA is
    /// scheduled at the controller's pacing rate, or held for an ACK if its window is full.
    mutating func sent(_ record: SendRecord, newNumbers: UInt32, session s: inout ServerSession,
                       id: ClientID, controller: any CongestionController, now: Instant) {
        guard case .data(let numbers, _, _) = record.kind else { return }
        controller.onSent(bytes: record.length, numbers: numbers, newNumbers: newNumbers, end: s.sentThrough, now: now)
        if s.cursor >= s.windowEnd { controller.onFlowLimited() }
        let gap = Nanoseconds(UInt64(Double(record.length) / controller.pacingRate * 1e9))
        let earliest = Instant(nanoseconds: now.nanoseconds &- min(now.nanoseconds, Self.catchUp.value))
        s.nextSendAt = max(s.nextSendAt, earliest) + gap
        if controller.isWindowFull {
            s.nextSendAt = max(s.nextSendAt, now + Self.windowHold)
            held.insert(id)
            counters.windowHolds += 1
        }
    }

    /// After an ACK: whether a session held by its full window may send again (at once).
    mutating func releaseIfOpen(_ id: ClientID) -> Bool {
        guard !held.isEmpty, held.contains(id), let c = slots[id]?.controller, !c.isWindowFull else { return false }
        held.remove(id)
        return true
    }

    /// The ACK path's hook: round trips and arrivals, and the numbers asked again as loss.
    /// Returns rate before ÷ rate after when the ACK raised the pacing rate of a session that is
    /// not waiting on a window hold: the wait left before its next DATA shrinks by that factor
    /// (`ServerSession.rescheduleSend`). Only a rise: lengthening the wait on a fall as well (so
    /// that a fall and a rise within one gap cancel) took the simulator's four clients at 5 ms
    /// from 0.90 of the link to 0.81, and ten from 0.84 to 0.77.
    mutating func acknowledged(_ id: ClientID, _ ack: AckMessage, from peer: PeerAddress, newRequest: Bool, now: Instant) -> Double? {
        guard let slot = slots[id] else { return nil }
        let c = slot.controller
        let rateBefore = c.pacingRate
        if newRequest && !ack.flags.contains(.probe) {
            // Only the gaps above what the client had already reported seeing are new losses;
            // those below were asked for before (a retransmission lost again, or a request the
            // client repeats on its timer), and counting each repeat made a queue's overflow read
            // as more numbers lost than had passed (see `CongestionController.reportedThrough`).
            let seenBefore = c.reportedThrough
            var lost: UInt32 = 0
            for r in ack.ranges where r.end > seenBefore { lost &+= r.end - max(r.start, seenBefore) }
            if lost > 0 { c.onLoss(numbers: lost, now: now) }
        }
        c.onAck(cumulative: ack.cumulative, highest: ack.highest, now: now)
        if let path = c.sharedPath, path != slot.reported || now - slot.reportedAt >= Self.reportRefresh {
            ensembles.learn(id, path, now: now)
            slots[id] = Slot(controller: c, reported: path, reportedAt: now)
        }
        // A probe rewinds the session to the client's `highest` (§8.3): what was sent above it is
        // lost, not in flight, or the window would hold the resend for seconds after an outage.
        // Every new probe, not only one that moves the session's cursor: after an earlier rewind
        // the controller's count can reach past the cursor (taking the rewind from the session
        // instead changed the simulator's ten-client figures).
        if ack.flags.contains(.probe) && newRequest { c.onRewind(to: ack.highest) }
        if let s = c.takeTransition() {
            counters.transitions += 1
            if events.count < Self.maxEvents { events.append(CongestionEvent(clientID: id, peer: peer, at: now, state: s)) } else { counters.eventsDropped += 1 }
        }
        let factor = rateBefore / c.pacingRate
        // A controller promises a rate, not a finite positive one: anything else changes nothing.
        guard factor < 1, factor > 0, !held.contains(id) else { return nil }
        return factor
    }

    mutating func pollEvent() -> CongestionEvent? {
        guard eventsRead < events.count else {
            if !events.isEmpty { events.removeAll(keepingCapacity: true); eventsRead = 0 }
            return nil
        }
        eventsRead += 1
        return events[eventsRead - 1]
    }
}

/// Totals over all controllers.
public struct CongestionCounters: Sendable, Hashable {
    public var controllersCreated: UInt64 = 0
    public var controllersReleased: UInt64 = 0
    /// Controllers that started from what live sessions from their host had learnt (`PathEnsembles`).
    public var sharedStarts: UInt64 = 0
    /// Changes of phase (start-up → drain → probing cycle, and back after congestion).
    public var transitions: UInt64 = 0
    /// Times a session's DATA waited for an ACK because its controller's window was full.
    public var windowHolds: UInt64 = 0
    public var eventsDropped: UInt64 = 0
    public init() {}
}

/// One controller changed phase: its state at that moment, for traces.
public struct CongestionEvent: Sendable, Hashable {
    public var clientID: ClientID
    /// The session's address when it changed phase.
    public var peer: PeerAddress
    public var at: Instant
    public var state: CongestionSnapshot
}

extension ServerEngine {
    public var congestionCounters: CongestionCounters { congestion.counters }

    /// The current state of a session's controller, nil when it has none.
    public func congestionState(of id: ClientID) -> CongestionSnapshot? { congestion.existing(id)?.snapshot }

    /// Takes the next controller phase change, for tracing.
    public mutating func pollCongestionEvent() -> CongestionEvent? { congestion.pollEvent() }
}
