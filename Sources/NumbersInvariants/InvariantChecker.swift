import NumbersProtocol

/// The server's safety invariants, checked against a model kept apart from the engine: the one
/// checker of the deterministic simulation and of the server fuzz target.
///
/// The caller shows it every datagram the server receives (before the server handles it), every
/// datagram the server sends (after `poll` returned it, with the sessions as they are then), and
/// every session that ends. It checks:
/// - every DATA lies inside the window its client advertised, [acknowledged, acknowledged +
///   window) of a session bound to the destination, and carries the generator's numbers at its
///   indices; every TRAILER carries the checksum of the whole sequence;
/// - no address that has not proven itself (a valid token for some client) is sent more bytes
///   than it sent: the server cannot be used to amplify;
/// - no session expires before `sessionTTL` of silence from its client, by the model's own record
///   of when the server must have heard from it;
/// - the sessions stay within the bound and in order (`sessionsHold`).
///
/// Not thread-safe (a value type owned by one run). Violations accumulate in `violations`, each
/// naming the run's seed.
package struct InvariantChecker {
    package let config: ServerConfig
    package let seed: UInt64?
    package private(set) var violations: [InvariantViolation] = []
    /// At most this many are kept: the first ones explain a failure, the rest repeat it.
    package var maxViolations = 20

    private let validator: AddressValidator
    private var received: [PeerAddress: UInt64] = [:]
    private var sent: [PeerAddress: UInt64] = [:]
    private var proven: Set<PeerAddress> = []
    private var provenFor: Set<Binding> = []
    private var lastHeard: [ClientID: Instant] = [:]
    private var checksums: [UInt64: SequenceChecksum] = [:]

    private struct Binding: Hashable {
        var address: PeerAddress
        var clientID: ClientID
    }

    /// - Parameters:
    ///   - config: the server's configuration (its window, TTL, token period and session bound).
    ///   - key: the server's address-validation key, to tell which tokens prove an address.
    ///   - seed: the run's seed, printed with every violation (nil: the run has none).
    package init(config: ServerConfig, key: SipHashKey, seed: UInt64?) {
        self.config = config
        self.seed = seed
        validator = AddressValidator(key: key, period: config.tokenPeriod)
    }

    package var isClean: Bool { violations.isEmpty }

    package mutating func record(_ kind: InvariantViolation.Kind, at now: Instant, _ detail: String) {
        if violations.count < maxViolations { violations.append(InvariantViolation(kind: kind, at: now, seed: seed, detail: detail)) }
    }

    // MARK: What the server receives

    /// A datagram on its way into the server, before the server handles it. `session` is the
    /// server's current state for a client ID.
    package mutating func serverReceives(_ datagram: UnsafeRawBufferPointer, from source: PeerAddress, now: Instant,
                                        session: (ClientID) -> ServerSession?) {
        received[source, default: 0] += UInt64(datagram.count)
        switch WireDecoder.decode(datagram) {
        case .success(.open(let o)):
            prove(o.token, source, o.clientID, now: now)
            if let s = session(o.clientID), hears(o, from: source, session: s, now: now) { lastHeard[o.clientID] = now }
        case .success(.ack(let a)):
            prove(a.token, source, a.clientID, now: now)
            if let s = session(a.clientID), hears(a, from: source, session: s, now: now) { lastHeard[a.clientID] = now }
        default:
            break
        }
    }

    private mutating func prove(_ token: UInt64, _ source: PeerAddress, _ clientID: ClientID, now: Instant) {
        guard validator.isValid(token, for: source, clientID: clientID, now: now) else { return }
        proven.insert(source)
        provenFor.insert(Binding(address: source, clientID: clientID))
    }

    /// Whether the server must count an OPEN as hearing from its client: for the session, from its
    /// proven address or with a valid token, not from a process it has replaced (the retired tag),
    /// for the session's n, resuming from no further than the server has sent.
    private func hears(_ o: OpenMessage, from source: PeerAddress, session s: ServerSession, now: Instant) -> Bool {
        let proven = source == s.address || validator.isValid(o.token, for: source, clientID: o.clientID, now: now)
        return proven && !(s.hasRetiredTag && o.tag == s.retiredTag) && (o.count == 0 || o.count == s.total)
            && o.resumeFrom <= s.sentThrough
    }

    /// An ACK likewise, from the session's current process (its tag), claiming no number the
    /// server never sent (a DONE only for the whole sequence).
    private func hears(_ a: AckMessage, from source: PeerAddress, session s: ServerSession, now: Instant) -> Bool {
        let proven = source == s.address || validator.isValid(a.token, for: source, clientID: a.clientID, now: now)
        return proven && a.tag == s.tag && a.cumulative <= s.total && a.highest <= s.sentThrough
            && (!a.flags.contains(.done) || a.cumulative == s.total)
    }

    // MARK: What the server sends

    /// A datagram the server sent to `destination`, with its sessions as they are after the send.
    package mutating func serverSends(_ datagram: UnsafeRawBufferPointer, to destination: PeerAddress, now: Instant,
                                     sessions: [ServerSession]) {
        sent[destination, default: 0] += UInt64(datagram.count)
        if !proven.contains(destination) {
            let out = sent[destination] ?? 0, into = received[destination] ?? 0
            if out > into {
                record(.amplification, at: now, "sent \(out) bytes to \(destination), which never proved its address and sent \(into)")
            }
        }
        switch WireDecoder.decode(datagram) {
        case .success(.data(let m)): checkData(m, to: destination, now: now, sessions: sessions)
        case .success(.trailer(let m)): checkTrailer(m, to: destination, now: now, sessions: sessions)
        default: break
        }
    }

    private mutating func checkData(_ m: DataMessage, to destination: PeerAddress, now: Instant, sessions: [ServerSession]) {
        let end = UInt64(m.index) + UInt64(m.numbers.count)
        var first: (InvariantViolation.Kind, String)?
        for s in sessions where s.address == destination && s.tag == m.tag && s.total == m.total {
            let failure: (InvariantViolation.Kind, String)?
            if !provenFor.contains(Binding(address: destination, clientID: s.clientID)) {
                failure = (.badState, "\(s.clientID): DATA to \(destination), which never proved itself for this client")
            } else if s.window > config.window || m.index < s.acknowledged || end > UInt64(s.acknowledged) + UInt64(s.window)
                        || end > UInt64(s.sentThrough) {
                failure = (.outsideWindow, "\(s.clientID): DATA [\(m.index), \(end)) outside [acknowledged \(s.acknowledged), +window \(s.window)), sent through \(s.sentThrough)")
            } else if isNewer(m.echo, than: s.lastAckSeq) {
                failure = (.badState, "\(s.clientID): DATA echoes \(m.echo), newer than any ackSeq received (\(s.lastAckSeq))")
            } else if let k = m.numbers.indices.first(where: { m.numbers[$0] != s.generator.number(at: m.index + UInt32($0)) }) {
                failure = (.wrongNumbers, "\(s.clientID): DATA carries \(m.numbers[k]) at index \(m.index + UInt32(k)), the generator's is \(s.generator.number(at: m.index + UInt32(k)))")
            } else {
                return
            }
            if first == nil { first = failure }
        }
        let (kind, detail) = first ?? (.outsideWindow, "DATA [\(m.index), \(end)) to \(destination) (tag \(m.tag), n \(m.total)) matches no session")
        record(kind, at: now, detail)
    }

    private mutating func checkTrailer(_ m: TrailerMessage, to destination: PeerAddress, now: Instant, sessions: [ServerSession]) {
        var first: (InvariantViolation.Kind, String)?
        for s in sessions where s.address == destination && s.tag == m.tag && s.total == m.total {
            let failure: (InvariantViolation.Kind, String)
            if !provenFor.contains(Binding(address: destination, clientID: s.clientID)) {
                failure = (.badState, "\(s.clientID): TRAILER to \(destination), which never proved itself for this client")
            } else if s.sentThrough != s.total {
                failure = (.wrongNumbers, "\(s.clientID): TRAILER before every number was sent (\(s.sentThrough) of \(s.total))")
            } else {
                let truth = checksums[s.seed] ?? SequenceChecksum.of(s.generator, count: s.total)
                checksums[s.seed] = truth
                if truth.crcValue == m.sequenceCRC && truth.sum == m.sum { return }
                failure = (.wrongNumbers, "\(s.clientID): TRAILER checksum is not that of the sequence")
            }
            if first == nil { first = failure }
        }
        let (kind, detail) = first ?? (.badState, "TRAILER to \(destination) (tag \(m.tag), n \(m.total)) matches no session")
        record(kind, at: now, detail)
    }

    // MARK: Sessions

    /// A session the server ended (its `.ended` event).
    package mutating func sessionEnded(_ id: ClientID, reason: ServerEvent.EndReason, now: Instant) {
        guard reason == .expired else { return }
        let heard = lastHeard[id] ?? .zero
        if now - heard < config.sessionTTL {
            record(.earlyExpiry, at: now, "session \(id) expired \(now - heard) after its client was last heard, before the TTL \(config.sessionTTL)")
        }
    }

    /// The sessions as they are now: within the bound, each bound to an address proven for it,
    /// its indices and retransmission queue in order.
    package mutating func sessionsHold(_ sessions: [ServerSession], now: Instant) {
        if sessions.count > config.maxSessions {
            record(.badState, at: now, "\(sessions.count) sessions, bound \(config.maxSessions)")
        }
        for s in sessions {
            if !provenFor.contains(Binding(address: s.address, clientID: s.clientID)) {
                record(.badState, at: now, "session \(s.clientID) bound to \(s.address), which never proved itself for it")
            }
            if !(s.acknowledged <= s.sentThrough && s.cursor <= s.sentThrough && s.sentThrough <= s.total) {
                record(.badState, at: now, "session \(s.clientID): acknowledged \(s.acknowledged), cursor \(s.cursor), sent \(s.sentThrough), total \(s.total)")
            }
            if s.window < Limits.minWindow || s.window > config.window {
                record(.badState, at: now, "session \(s.clientID): window \(s.window)")
            }
            var floor = s.acknowledged
            for i in 0..<s.pending.count {
                let r = s.pending[i]
                if !(r.start < r.end && r.start >= floor && r.end <= s.sentThrough) {
                    record(.badState, at: now, "session \(s.clientID): pending \(r) out of order or outside [\(s.acknowledged), \(s.sentThrough))")
                }
                floor = r.end
            }
        }
    }
}
