import Testing
import NumbersInvariants
import NumbersProtocol
import NumbersSimulation

/// Each invariant planted broken, once, beside the same exchange kept clean: the checker must see
/// every planted violation and nothing in the clean one.
@Suite struct InvariantCheckerTests {
    static let key = SipHashKey(k0: 11, k1: 22)
    static let client = PeerAddress(ipv4: (10, 0, 1, 1), port: 40_000)
    static let stranger = PeerAddress(ipv4: (192, 0, 2, 7), port: 5_353)
    static let id = ClientID(high: 0x1234_5678_9abc_4def, low: 0x8123_4567_89ab_cdef)
    static let tag: UInt32 = 0x5eed
    static let total: UInt32 = 4 * window
    static let window = Limits.minWindow
    static let start = Instant(nanoseconds: 5_000_000_000)

    static var config: ServerConfig {
        var c = ServerConfig()
        c.window = window
        c.sessionTTL = .seconds(2 as UInt64)
        return c
    }

    /// A checker that has seen the client prove its address with a valid token in an OPEN, and the
    /// session the server made for it, `sent` numbers already sent and none acknowledged.
    static func opened(sent: UInt32 = 32) -> (InvariantChecker, ServerSession) {
        var checker = InvariantChecker(config: config, key: key, seed: 4_242)
        let token = AddressValidator(key: key, period: config.tokenPeriod).token(for: client, clientID: id, now: start)
        let open = bytes { WireEncoder.encode(OpenMessage(tag: tag, clientID: id, count: total, resumeFrom: 0, window: window, token: token, ackSeq: 1), into: $0) }
        var session = ServerSession(clientID: id, seed: 99, total: total, tag: tag, window: window, address: client, now: start)
        session.lastAckSeq = 1
        checker.serverReceives(open, from: client, now: start) { $0 == id ? session : nil }
        for i in 0..<sent { session.checksum.add(session.generator.number(at: i)) }
        session.cursor = sent
        return (checker, session)
    }

    static func bytes(_ body: (UnsafeMutableRawBufferPointer) -> Int) -> UnsafeRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.maxDatagramSize, alignment: 8)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<body(buffer)])
    }

    static func data(_ s: ServerSession, index: UInt32, count: Int, tamper: Int? = nil) -> UnsafeRawBufferPointer {
        bytes {
            WireEncoder.encodeData(tag: s.tag, echo: 1, total: s.total, index: index, count: count, into: $0) { k in
                let x = s.generator.number(at: index + UInt32(k))
                return k == tamper ? x ^ 0x100 : x
            }
        }
    }

    static func kinds(_ c: InvariantChecker) -> [InvariantViolation.Kind] { c.violations.map(\.kind) }

    @Test func cleanExchangePasses() {
        var (checker, s) = Self.opened()
        checker.serverSends(Self.data(s, index: 0, count: 32), to: Self.client, now: Self.start, sessions: [s])
        checker.sessionsHold([s], now: Self.start)
        // A trailer once every number is out, with the sequence's checksum.
        for i in s.sentThrough..<s.total { s.checksum.add(s.generator.number(at: i)) }
        let truth = SequenceChecksum.of(s.generator, count: s.total)
        let trailer = Self.bytes { WireEncoder.encode(TrailerMessage(tag: s.tag, echo: 1, total: s.total, sequenceCRC: truth.crcValue, sum: truth.sum), into: $0) }
        checker.serverSends(trailer, to: Self.client, now: Self.start, sessions: [s])
        checker.sessionEnded(Self.id, reason: .expired, now: Self.start + Self.config.sessionTTL)
        #expect(checker.isClean, "\(checker.violations)")
    }

    @Test func dataOutsideItsWindowIsCaught() {
        let (clean, s) = Self.opened(sent: Self.window + 10)
        var checker = clean
        // Indices [w - 4, w + 2) reach past the window [0, w).
        checker.serverSends(Self.data(s, index: Self.window - 4, count: 6), to: Self.client, now: Self.start, sessions: [s])
        #expect(Self.kinds(checker) == [.outsideWindow])
        var below = s
        below.acknowledged = 10
        checker = clean
        checker.serverSends(Self.data(below, index: 5, count: 3), to: Self.client, now: Self.start, sessions: [below])
        #expect(Self.kinds(checker) == [.outsideWindow])
        checker = clean
        checker.serverSends(Self.data(s, index: Self.window - 6, count: 6), to: Self.client, now: Self.start, sessions: [s])
        #expect(checker.isClean, "the window's last numbers are inside it: \(checker.violations)")
    }

    @Test func aWrongNumberIsCaught() {
        var (checker, s) = Self.opened()
        checker.serverSends(Self.data(s, index: 4, count: 8, tamper: 5), to: Self.client, now: Self.start, sessions: [s])
        #expect(Self.kinds(checker) == [.wrongNumbers])
        #expect(checker.violations.first?.detail.contains("index 9") == true, "\(checker.violations)")
        // A trailer whose checksum is not the sequence's.
        (checker, s) = Self.opened(sent: Self.total)
        let trailer = Self.bytes { WireEncoder.encode(TrailerMessage(tag: s.tag, echo: 1, total: s.total, sequenceCRC: 1, sum: 2), into: $0) }
        checker.serverSends(trailer, to: Self.client, now: Self.start, sessions: [s])
        #expect(Self.kinds(checker) == [.wrongNumbers])
    }

    @Test func anAmplifyingReplyIsCaught() {
        var (checker, s) = Self.opened()
        // 60 bytes from an address that never proved itself: a CHALLENGE (smaller) is fine…
        let junk = [UInt8](repeating: 7, count: 60)
        junk.withUnsafeBytes { checker.serverReceives($0, from: Self.stranger, now: Self.start) { _ in nil } }
        let challenge = Self.bytes { WireEncoder.encode(ChallengeMessage(tag: 1, token: 77), into: $0) }
        checker.serverSends(challenge, to: Self.stranger, now: Self.start, sessions: [s])
        #expect(checker.isClean, "\(checker.violations)")
        // …but a DATA of 32 numbers to it (were it bound there) is more than it sent.
        s.address = Self.stranger
        checker.serverSends(Self.data(s, index: 0, count: 32), to: Self.stranger, now: Self.start, sessions: [s])
        #expect(Self.kinds(checker).first == .amplification)
        // The proven client may be sent far more than it sent.
        var (proven, bound) = Self.opened()
        for _ in 0..<10 { proven.serverSends(Self.data(bound, index: 0, count: 32), to: Self.client, now: Self.start, sessions: [bound]) }
        #expect(proven.isClean, "\(proven.violations)")
    }

    @Test func anEarlyExpiryIsCaught() {
        var (checker, s) = Self.opened()
        let heard = Self.start + .seconds(1 as UInt64)
        let ack = [IndexRange]().withUnsafeBufferPointer { r in
            Self.bytes { WireEncoder.encode(AckMessage(flags: [], tag: s.tag, clientID: Self.id, token: 0, ackSeq: 2,
                                                       cumulative: 8, highest: 8, ranges: AckRanges(r)), into: $0) }
        }
        checker.serverReceives(ack, from: Self.client, now: heard) { _ in s }
        var early = checker
        early.sessionEnded(Self.id, reason: .expired, now: heard + Nanoseconds(Self.config.sessionTTL.value - 1))
        #expect(Self.kinds(early) == [.earlyExpiry])
        checker.sessionEnded(Self.id, reason: .expired, now: heard + Self.config.sessionTTL)
        checker.sessionEnded(Self.id, reason: .completed, now: heard)
        #expect(checker.isClean, "\(checker.violations)")
        // An ACK under another process's tag is not the client being heard.
        s.tag ^= 1
        var stale = Self.opened().0
        stale.serverReceives(ack, from: Self.client, now: heard) { _ in s }
        stale.sessionEnded(Self.id, reason: .expired, now: Self.start + Self.config.sessionTTL)
        #expect(stale.isClean, "\(stale.violations)")
    }

    @Test func aViolationNamesItsSeed() {
        let (clean, s) = Self.opened()
        var checker = clean
        checker.serverSends(Self.data(s, index: 0, count: 4, tamper: 0), to: Self.client, now: Self.start, sessions: [s])
        let text = checker.violations.first?.description ?? ""
        #expect(text.hasPrefix("seed 4242 t="), "\(text)")
    }

    @Test func aCleanSimulationPasses() {
        var simulation = Simulation(Scenario.random(seed: 3))
        let outcome = simulation.run()
        #expect(outcome.violations.isEmpty, "\(outcome.violations)")
        #expect(outcome.serverCounters.dataSent > 0)
    }
}
