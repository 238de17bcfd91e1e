/// The server's whole protocol logic, with no I/O: feed it datagrams with `handle`, take what it
/// wants to send with `poll`, and call `poll` again no later than `nextDeadline`.
///
/// Invariants (checked with preconditions): every DATA lies inside the session's window; an
/// address that has not proven itself is never sent more bytes than it sent; sessions never exceed
/// `maxSessions`.
public struct ServerEngine<Store: SessionStore> {
    public let config: ServerConfig
    public private(set) var store: Store
    public private(set) var counters = ServerCounters()
    private let validator: AddressValidator
    private var seeds: SplitMix64
    private var timers = DeadlineHeap()
    private var control = ControlQueue(capacity: Limits.maxQueuedControl)
    private var events: [ServerEvent] = []
    private var eventsDropped: UInt64 = 0

    /// - Parameters:
    ///   - seedSource: where session seeds come from; a fixed value makes a simulation repeatable.
    public init(config: ServerConfig, store: Store, key: SipHashKey, seedSource: UInt64) {
        precondition(config.validate() == nil, config.validate() ?? "")
        self.config = config
        self.store = store
        self.validator = AddressValidator(key: key, period: config.tokenPeriod)
        self.seeds = SplitMix64(seed: seedSource)
    }

    public var sessionCount: Int { store.count }

    /// The earliest instant at which `poll` has something to do, or nil when idle.
    public var nextDeadline: Instant? {
        if control.count > 0 { return .zero }
        return timers.top?.deadline
    }

    /// Takes the next lifecycle event, for logging.
    public mutating func pollEvent() -> ServerEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    // MARK: Input

    public mutating func handle(_ bytes: UnsafeRawBufferPointer, from source: PeerAddress, now: Instant) {
        counters.datagramsReceived += 1
        counters.bytesReceived += UInt64(bytes.count)
        switch Decoder.decode(bytes) {
        case .failure(let error):
            counters.decodeErrors[error, default: 0] += 1
        case .success(.open(let open)):
            counters.opensReceived += 1
            handleOpen(open, from: source, receivedBytes: bytes.count, now: now)
        case .success(.ack(let ack)):
            counters.acksReceived += 1
            handleAck(ack, from: source, receivedBytes: bytes.count, now: now)
        case .success:
            counters.invalidDropped += 1   // a server-to-client type sent to the server
        }
    }

    private mutating func handleOpen(_ open: OpenMessage, from source: PeerAddress, receivedBytes: Int, now: Instant) {
        guard var session = store.session(open.clientID) else {
            guard open.count != 0, open.resumeFrom == 0 else {
                return reply(.reject(RejectMessage(tag: open.tag, reason: .unknownSession)), to: source, receivedBytes: receivedBytes)
            }
            guard validator.isValid(open.token, for: source, clientID: open.clientID, now: now) else {
                return challenge(tag: open.tag, clientID: open.clientID, source: source, receivedBytes: receivedBytes, now: now)
            }
            guard store.count < config.maxSessions else {
                return reply(.reject(RejectMessage(tag: open.tag, reason: .serverFull)), to: source, receivedBytes: receivedBytes)
            }
            var created = ServerSession(clientID: open.clientID, seed: seeds.next(), total: open.count, tag: open.tag,
                                        window: min(config.window, open.window), address: source, now: now)
            created.lastAckSeq = open.ackSeq
            created.drainedAckSeq = open.ackSeq
            let inserted = store.insertIfAbsent(created)
            precondition(inserted && store.count <= config.maxSessions)
            counters.sessionsCreated += 1
            record(.created(open.clientID, total: open.count, address: source))
            schedule(open.clientID, now: now)
            return
        }
        guard open.count == 0 || open.count == session.total else {
            return reply(.reject(RejectMessage(tag: open.tag, reason: .countMismatch)), to: source, receivedBytes: receivedBytes)
        }
        guard source == session.address || validator.isValid(open.token, for: source, clientID: open.clientID, now: now) else {
            return challenge(tag: open.tag, clientID: open.clientID, source: source, receivedBytes: receivedBytes, now: now)
        }
        guard open.resumeFrom <= session.sentThrough else {
            return reply(.reject(RejectMessage(tag: open.tag, reason: .invalidResume)), to: source, receivedBytes: receivedBytes)
        }
        // The same client process repeating an OPEN that crossed newer ACKs: nothing to rewind.
        if open.tag == session.tag && !isNewer(open.ackSeq, than: session.lastAckSeq) {
            session.lastHeard = now
            store.update(open.clientID) { $0 = session }
            schedule(open.clientID, now: now)
            return
        }
        if source != session.address { counters.migrations += 1 }
        session.address = source
        session.tag = open.tag
        session.window = min(config.window, open.window)
        session.acknowledged = open.resumeFrom
        session.cursor = open.resumeFrom
        session.pending.removeAll()
        session.lastAckSeq = open.ackSeq
        session.drainedAckSeq = open.ackSeq
        session.trailerOwed = open.resumeFrom == session.total
        session.lastHeard = now
        session.nextSendAt = now
        session.stats.resumes &+= 1
        store.update(open.clientID) { $0 = session }
        counters.sessionsResumed += 1
        record(.resumed(open.clientID, from: open.resumeFrom, address: source))
        schedule(open.clientID, now: now)
    }

    private mutating func handleAck(_ ack: AckMessage, from source: PeerAddress, receivedBytes: Int, now: Instant) {
        guard var session = store.session(ack.clientID) else {
            // The second copy of a completion, after the first already closed the session.
            if ack.flags.contains(.done) { counters.lateCompletions += 1; return }
            return reply(.reject(RejectMessage(tag: ack.tag, reason: .unknownSession)), to: source, receivedBytes: receivedBytes)
        }
        guard ack.tag == session.tag else {
            counters.invalidDropped += 1      // from a client process the session has moved on from
            return
        }
        guard source == session.address || validator.isValid(ack.token, for: source, clientID: ack.clientID, now: now) else {
            return challenge(tag: ack.tag, clientID: ack.clientID, source: source, receivedBytes: receivedBytes, now: now)
        }
        guard ack.cumulative <= session.total, ack.highest <= session.sentThrough,
              !ack.flags.contains(.done) || ack.cumulative == session.total else {
            counters.invalidDropped += 1      // claims numbers that were never sent
            return
        }
        if source != session.address {
            counters.migrations += 1
            session.address = source
        }
        session.lastHeard = now
        session.stats.acksReceived &+= 1

        if ack.flags.contains(.done) {
            store.remove(ack.clientID)
            counters.sessionsCompleted += 1
            record(.ended(ack.clientID, total: session.total, acknowledged: ack.cumulative, reason: .completed, stats: session.stats))
            return
        }

        let hadWork = session.hasDataToSend
        if ack.cumulative > session.acknowledged {
            session.acknowledged = ack.cumulative
            session.pending.trim(below: ack.cumulative)
        }
        // After a rewind, what the client acknowledges need not be sent again.
        if session.cursor < session.acknowledged { session.cursor = session.acknowledged }

        if isNewer(ack.ackSeq, than: session.lastAckSeq) {
            session.lastAckSeq = ack.ackSeq
            for range in ack.ranges {
                counters.rangesRequested += 1
                session.stats.rangesRequested &+= 1
                if !session.pending.insert(range, floor: session.acknowledged) { counters.rangesDroppedFromQueue += 1 }
            }
            if ack.flags.contains(.probe) {
                counters.probesReceived += 1
                session.stats.probes &+= 1
                // The client heard nothing for a while: whatever was sent above `highest` is lost.
                if ack.highest < session.cursor { session.cursor = max(ack.highest, session.acknowledged) }
            }
            if session.pending.isEmpty { session.drainedAckSeq = session.lastAckSeq }
        }
        // A client that holds everything, or probes at the end, is owed the trailer again.
        if session.cursor == session.total && session.pending.isEmpty
            && (ack.flags.contains(.probe) || ack.cumulative == session.total) {
            session.trailerOwed = true
        }
        if !hadWork && session.hasDataToSend && session.nextSendAt < now { session.nextSendAt = now }
        store.update(ack.clientID) { $0 = session }
        schedule(ack.clientID, now: now)
    }

    // MARK: Replies to unproven addresses

    private mutating func challenge(tag: UInt32, clientID: ClientID, source: PeerAddress, receivedBytes: Int, now: Instant) {
        let token = validator.token(for: source, clientID: clientID, now: now)
        reply(.challenge(ChallengeMessage(tag: tag, token: token)), to: source, receivedBytes: receivedBytes)
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

    /// Writes the next datagram due at `now` into `buffer` (at least `Limits.maxDatagramSize`
    /// bytes) and says where it goes; nil when nothing is due.
    public mutating func poll(now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Transmit? {
        precondition(buffer.count >= Limits.maxDatagramSize)
        if let item = control.pop() {
            let length: Int
            switch item.reply {
            case .challenge(let m): length = Encoder.encode(m, into: buffer); counters.challengesSent += 1
            case .reject(let m): length = Encoder.encode(m, into: buffer); counters.rejectsSent += 1
            }
            return sent(Transmit(length: length, destination: item.destination))
        }
        while let top = timers.top, top.deadline <= now {
            _ = timers.pop()
            guard var session = store.session(top.clientID), session.scheduledAt == top.deadline else { continue }
            session.scheduledAt = .never
            if now >= session.lastHeard + config.sessionTTL {
                store.remove(top.clientID)
                counters.sessionsExpired += 1
                record(.ended(top.clientID, total: session.total, acknowledged: session.acknowledged, reason: .expired, stats: session.stats))
                continue
            }
            let transmit = produce(&session, now: now, into: buffer)
            store.update(top.clientID) { $0 = session }
            schedule(top.clientID, now: now)
            if let transmit { return sent(transmit) }
        }
        if timers.count > 2 * store.count + 1_024 {
            let store = self.store
            timers.compact { store.session($0.clientID)?.scheduledAt == $0.deadline }
        }
        return nil
    }

    private mutating func sent(_ t: Transmit) -> Transmit {
        counters.datagramsSent += 1
        counters.bytesSent += UInt64(t.length)
        return t
    }

    /// One datagram for a due session: requested ranges first, then new numbers, then the trailer.
    private mutating func produce(_ s: inout ServerSession, now: Instant, into buffer: UnsafeMutableRawBufferPointer) -> Transmit? {
        if s.hasDataToSend && s.nextSendAt <= now {
            let batch = UInt32(config.batch)
            let windowEnd = s.windowEnd
            let range: IndexRange
            var retransmit = false
            if let first = s.pending.first, first.start < windowEnd {
                range = s.pending.popFront(limit: min(batch, windowEnd - first.start))!
                retransmit = true
            } else {
                let end = UInt32(min(UInt64(s.cursor) + UInt64(batch), UInt64(windowEnd)))
                range = IndexRange(s.cursor, end)
                s.cursor = end
                retransmit = range.start < s.sentThrough
            }
            precondition(range.start < range.end && range.start >= s.acknowledged && range.end <= windowEnd,
                         "DATA must lie inside the window")
            precondition(range.start <= s.sentThrough, "numbers are first sent in order")
            if s.pending.isEmpty { s.drainedAckSeq = s.lastAckSeq }
            let generator = s.generator
            let start = range.start
            let length = Encoder.encodeData(tag: s.tag, echo: s.drainedAckSeq, total: s.total, index: start,
                                            count: Int(range.count), into: buffer) { generator.number(at: start &+ UInt32($0)) }
            if range.end > s.sentThrough {
                let firstNew = Int(s.sentThrough - range.start)
                let from = DataMessage.headerSize + 4 * firstNew
                s.checksum.add(bigEndianNumbers: UnsafeRawBufferPointer(rebasing: buffer[from..<(DataMessage.headerSize + 4 * Int(range.count))]))
            }
            counters.dataSent += 1
            counters.numbersSent += UInt64(range.count)
            s.stats.dataSent &+= 1
            if retransmit {
                counters.retransmittedDatagrams += 1
                counters.retransmittedNumbers += UInt64(range.count)
                s.stats.retransmittedDatagrams &+= 1
            }
            if config.interval.value > 0 {
                let lag = now - s.nextSendAt
                if lag > config.lateThreshold { counters.lateSends += 1 }
                s.nextSendAt = lag > config.interval ? now + config.interval : s.nextSendAt + config.interval
            }
            if s.cursor == s.total && s.pending.isEmpty { s.trailerOwed = true }
            return Transmit(length: length, destination: s.address)
        }
        if s.trailerOwed && !s.hasDataToSend {
            precondition(s.sentThrough == s.total, "the trailer follows every number")
            s.trailerOwed = false
            s.drainedAckSeq = s.lastAckSeq
            let m = TrailerMessage(tag: s.tag, echo: s.drainedAckSeq, total: s.total,
                                   sequenceCRC: s.checksum.crcValue, sum: s.checksum.sum)
            counters.trailersSent += 1
            s.stats.trailersSent &+= 1
            return Transmit(length: Encoder.encode(m, into: buffer), destination: s.address)
        }
        return nil
    }

    // MARK: Timers

    /// Makes sure the session's earliest deadline has an entry in the timer heap.
    private mutating func schedule(_ id: ClientID, now: Instant) {
        guard var s = store.session(id) else { return }
        var deadline = s.lastHeard + config.sessionTTL
        if s.hasDataToSend { deadline = min(deadline, max(s.nextSendAt, now)) }
        else if s.trailerOwed { deadline = now }
        if deadline < s.scheduledAt {
            s.scheduledAt = deadline
            timers.push(deadline, id)
            store.update(id) { $0.scheduledAt = deadline }
        }
    }

    private mutating func record(_ event: ServerEvent) {
        if events.count < ServerConfig.maxSessionEvents { events.append(event) } else { eventsDropped += 1 }
    }
}
