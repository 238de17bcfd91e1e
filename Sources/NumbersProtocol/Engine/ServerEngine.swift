/// The server's whole protocol logic, with no I/O: feed it datagrams with `handle`, take what it
/// wants to send with `poll`, and call `poll` again no later than `nextDeadline`.
///
/// Every change to a session happens inside one `SessionStore.update` call, computed from the
/// stored value alone, so the same engine works over a shared store whose updates are atomic.
///
/// Invariants (checked with preconditions): every DATA lies inside the session's window; an
/// address that has not proven itself is never sent more bytes than it sent; sessions never exceed
/// `maxSessions` in one process.
///
/// Thread-safety: not `Sendable`, deliberately: its congestion controllers are objects, so two
/// copies of one engine would share them. It can still be handed to another task whole (Swift's
/// region-based isolation lets a value nobody else refers to cross, as `sending`); one owner runs it.
public struct ServerEngine<Store: SessionStore> {
    /// The configuration it was made with, valid (checked by `init`).
    public let config: ServerConfig
    /// The sessions; read it for reports, never write it behind the engine's back.
    public internal(set) var store: Store
    /// What happened so far; only ever grows.
    public internal(set) var counters = ServerCounters()
    let validator: AddressValidator
    var seeds: SplitMix64
    var timers = TimerQueue<ClientID>()
    var control = ControlQueue(capacity: Limits.maxQueuedControl)
    var events: [ServerEvent] = []
    var congestion = CongestionTable()
    var completions = RecentSet<CompletedTransfer>.completions()
    var eventsRead = 0
    /// Events not taken with `pollEvent` before the queue filled, and so lost.
    public internal(set) var eventsDropped: UInt64 = 0
    /// Set by `shareSessions`: sessions go through a store several processes share.
    var sharing: SessionSharing?

    /// A server with no sessions beyond those already in `store`.
    ///
    /// - Precondition: `config.validate()` does not throw (check it first to report a usage error).
    /// - Parameters:
    ///   - store: where sessions live; the engine reads and writes them only through `SessionStore`.
    ///   - key: the address-validation secret; servers sharing a store and an address share it.
    ///   - seedSource: where session seeds come from; a fixed value makes a simulation repeatable.
    public init(config: ServerConfig, store: Store, key: SipHashKey, seedSource: UInt64) {
        do { try config.validate() } catch { preconditionFailure("\(error)") }
        self.config = config
        self.store = store
        self.validator = AddressValidator(key: key, period: config.tokenPeriod)
        self.seeds = SplitMix64(seed: seedSource)
    }

    /// Sessions held now.
    public var sessionCount: Int { store.count }

    /// The earliest instant at which `poll` has something to do, or nil when idle.
    public var nextDeadline: Instant? {
        if control.count > 0 { return .zero }
        return timers.top?.deadline
    }

    /// Takes the next lifecycle event (created, resumed, ended, …), for logging; nil when none is
    /// waiting. Take them after each `handle` and `poll`: a bounded number is kept
    /// (`eventsDropped` counts the rest).
    public mutating func pollEvent() -> ServerEvent? {
        guard eventsRead < events.count else {
            if !events.isEmpty { events.removeAll(keepingCapacity: true); eventsRead = 0 }
            return nil
        }
        eventsRead += 1
        return events[eventsRead - 1]
    }

    // MARK: Input

    /// Takes one datagram that arrived from `source` at `now`. Any bytes are safe: what does not
    /// decode, or breaks the protocol, is counted in `counters` and changes no session. Replies
    /// (CHALLENGE, REJECT, DATA) are not written here but queued for `poll`.
    ///
    /// - Parameters:
    ///   - bytes: the datagram, read only during the call.
    ///   - now: the caller's monotonic clock; it must not go backwards between calls.
    @_specialize(exported: true, where Store == InMemorySessionStore)
    public mutating func handle(_ bytes: UnsafeRawBufferPointer, from source: PeerAddress, now: Instant) {
        counters.datagramsReceived += 1
        counters.bytesReceived += UInt64(bytes.count)
        switch WireDecoder.decode(bytes) {
        case .failure(let error):
            counters.decodeErrors[error, default: 0] += 1
        case .success(.open(let open)):
            counters.opensReceived += 1
            handleOpen(open, from: source, receivedBytes: bytes.count, now: now)
        case .success(.ack(let ack)):
            counters.acksReceived += 1
            handleAck(ack, from: source, receivedBytes: bytes.count, now: now)
        case .success(.challenge), .success(.data), .success(.trailer), .success(.reject):
            counters.invalidDropped += 1   // a server-to-client type sent to the server
        }
    }

    // MARK: Replies to unproven addresses

    mutating func challenge(tag: UInt32, clientID: ClientID, source: PeerAddress, receivedBytes: Int, now: Instant) {
        let token = validator.token(for: source, clientID: clientID, now: now)
        reply(.challenge(ChallengeMessage(tag: tag, token: token)), to: source, receivedBytes: receivedBytes)
    }

    mutating func reject(_ reason: RejectReason, tag: UInt32, to destination: PeerAddress, receivedBytes: Int) {
        record(.refused(reason: reason, tag: tag, address: destination))
        reply(.reject(RejectMessage(tag: tag, reason: reason)), to: destination, receivedBytes: receivedBytes)
    }

    /// Queues one reply to a datagram; replies are never larger than what provoked them.
    private mutating func reply(_ reply: ControlQueue.Reply, to destination: PeerAddress, receivedBytes: Int) {
        let size: Int
        switch reply {
        case .challenge: size = ChallengeMessage.size
        case .reject: size = RejectMessage.size
        }
        precondition(size <= receivedBytes, "a reply to an unproven address must not amplify")
        if !control.push(ControlQueue.Item(destination: destination, reply: reply)) { counters.controlDropped += 1 }
    }

    // MARK: Output

    /// Writes the next datagram due at `now` into `buffer` and says where it goes; nil when nothing
    /// is due. Also fires due timers (pacing, retransmission, expiry). Call it until it returns nil,
    /// then again no later than `nextDeadline`.
    ///
    /// - Precondition: `buffer.count >= Limits.maxDatagramSize`.
    /// - Returns: the datagram's length (its bytes are `buffer[0..<length]`) and destination.
    @_specialize(exported: true, where Store == InMemorySessionStore)
    public mutating func poll(now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Transmit? {
        precondition(buffer.count >= Limits.maxDatagramSize)
        if let item = control.pop() {
            let length: Int
            switch item.reply {
            case .challenge(let m): length = WireEncoder.encode(m, into: buffer); counters.challengesSent += 1
            case .reject(let m): length = WireEncoder.encode(m, into: buffer); counters.rejectsSent += 1
            }
            return sent(Transmit(length: length, destination: item.destination))
        }
        let config = self.config
        while let top = timers.top, top.deadline <= now {
            _ = timers.pop()
            let outcome = store.update(top.value) { s -> TimerOutcome in
                guard s.scheduledAt == top.deadline else { return .stale }
                s.scheduledAt = .never
                if now >= s.lastHeard + config.sessionTTL { return .expired(total: s.total, acknowledged: s.acknowledged, stats: s.stats) }
                let controller = congestion.controller(for: top.value, at: s.address, config: config, now: now)
                let sentBefore = s.sentThrough
                guard let record = s.produce(now: now, config: config, into: buffer) else { return .idle }
                // Congestion control: the one point where a controller sees a send and paces the next.
                if let controller {
                    congestion.sent(record, newNumbers: s.sentThrough - sentBefore, session: &s, id: top.value, controller: controller, now: now)
                }
                return .sent(record, Transmit(length: record.length, destination: s.address))
            }
            switch outcome {
            case nil:
                congestion.remove(top.value)
                continue
            case .stale?:
                continue
            case .expired(let total, let acknowledged, let stats)?:
                store.remove(top.value)
                congestion.remove(top.value)
                counters.sessionsExpired += 1
                record(.ended(top.value, total: total, acknowledged: acknowledged, reason: .expired, stats: stats))
            case .idle?:
                schedule(top.value, now: now)
            case .sent(let record, let transmit)?:
                count(record)
                schedule(top.value, now: now)
                return sent(transmit)
            }
        }
        if timers.count > 2 * store.count + 1_024 {
            let store = self.store
            timers.compact { store.session($0.value)?.scheduledAt == $0.deadline }
            // Every path that forgets a session drops its controller: none outlives its timer.
            assert(congestion.count <= store.count, "a controller outlived its session")
        }
        return nil
    }

    private mutating func sent(_ t: Transmit) -> Transmit {
        counters.datagramsSent += 1
        counters.bytesSent += UInt64(t.length)
        return t
    }

    private mutating func count(_ record: SendRecord) {
        switch record.kind {
        case .data(let numbers, let retransmit, let late):
            counters.dataSent += 1
            counters.numbersSent += UInt64(numbers)
            if retransmit {
                counters.retransmittedDatagrams += 1
                counters.retransmittedNumbers += UInt64(numbers)
            }
            if late { counters.lateSends += 1 }
        case .trailer:
            counters.trailersSent += 1
        }
    }

    // MARK: Timers

    /// Makes sure the session's earliest deadline has an entry in the timer heap.
    mutating func schedule(_ id: ClientID, now: Instant) {
        let ttl = config.sessionTTL
        let pushed = store.update(id) { s -> Instant? in
            var deadline = s.lastHeard + ttl
            if s.hasDataToSend { deadline = min(deadline, max(s.nextSendAt, now)) }
            else if s.trailerOwed { deadline = now }
            guard deadline < s.scheduledAt else { return nil }
            s.scheduledAt = deadline
            return deadline
        }
        if let deadline = pushed ?? nil { timers.push(deadline, id) }
    }

    mutating func record(_ event: ServerEvent) {
        if events.count < ServerConfig.maxSessionEvents { events.append(event) } else { eventsDropped += 1 }
    }
}

/// What a due timer did to its session. Outside the generic engine: a type nested in
/// `ServerEngine<Store>` is generic too, and its metadata was looked up at run time for every
/// datagram sent.
private enum TimerOutcome {
    case stale, expired(total: UInt32, acknowledged: UInt32, stats: SessionStats), idle, sent(SendRecord, Transmit)
}
