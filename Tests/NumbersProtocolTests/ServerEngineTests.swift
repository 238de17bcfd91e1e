import Testing
@testable import NumbersProtocol

/// Drives a `ServerEngine` directly: encoded OPEN/ACK datagrams in, decoded datagrams out, on a
/// virtual clock.
private struct ServerHarness {
    static let key = SipHashKey(k0: 0x0706_0504_0302_0100, k1: 0x0F0E_0D0C_0B0A_0908)
    static let home = PeerAddress(ipv4: (10, 0, 0, 2), port: 5000)
    static let elsewhere = PeerAddress(ipv4: (10, 0, 0, 3), port: 6000)
    static let spoofed = PeerAddress(ipv4: (192, 0, 2, 66), port: 4444)

    var server: ServerEngine<InMemorySessionStore>
    var now = Instant(nanoseconds: 1_000_000_000_000)     // 1,000 s: a few token periods in
    private var buffer = [UInt8](repeating: 0, count: 1500)

    init(_ configure: (inout ServerConfig) -> Void = { _ in }) {
        var config = ServerConfig()
        configure(&config)
        server = ServerEngine(config: config, store: InMemorySessionStore(), key: Self.key, seedSource: 0x5EED)
    }

    var config: ServerConfig { server.config }

    func expectedToken(for address: PeerAddress, _ id: ClientID) -> UInt64 {
        AddressValidator(key: Self.key, period: config.tokenPeriod).token(for: address, clientID: id, now: now)
    }

    func session(_ id: ClientID) -> ServerSession? { server.store.session(id) }

    mutating func send(_ bytes: [UInt8], from source: PeerAddress = home) {
        bytes.withUnsafeBytes { server.handle($0, from: source, now: now) }
    }

    mutating func sendOpen(_ id: ClientID = testClientA, tag: UInt32 = 1, count: UInt32, resumeFrom: UInt32 = 0,
                           window: UInt32 = 65_536, token: UInt64 = 0, ackSeq: UInt32 = 1, from source: PeerAddress = home) {
        send(encoded(OpenMessage(tag: tag, clientID: id, count: count, resumeFrom: resumeFrom, window: window,
                                 token: token, ackSeq: ackSeq)), from: source)
    }

    mutating func sendAck(_ id: ClientID = testClientA, tag: UInt32 = 1, flags: AckMessage.Flags = [], token: UInt64 = 0,
                          ackSeq: UInt32, cumulative: UInt32, highest: UInt32, ranges: [IndexRange] = [],
                          from source: PeerAddress = home) {
        send(encodedAck(flags: flags, tag: tag, clientID: id, token: token, ackSeq: ackSeq, cumulative: cumulative,
                        highest: highest, ranges: ranges), from: source)
    }

    /// The next datagram due now, decoded, with its raw length and destination.
    mutating func poll() -> (message: Decoded, length: Int, to: PeerAddress)? {
        let t = buffer.withUnsafeMutableBytes { server.poll(now: now, into: $0) }
        guard let t else { return nil }
        let bytes = Array(buffer[0..<t.length])
        guard let m = decoded(bytes) else {
            Issue.record("the server sent an undecodable datagram: \(decodeError(bytes).map(String.init(describing:)) ?? "?")")
            return nil
        }
        return (m, t.length, t.destination)
    }

    /// Everything due now.
    mutating func pollAll() -> [(message: Decoded, length: Int, to: PeerAddress)] {
        var out: [(message: Decoded, length: Int, to: PeerAddress)] = []
        while let d = poll() {
            out.append(d)
            if out.count > 100_000 { Issue.record("poll never returned nil"); break }
        }
        return out
    }

    mutating func events() -> [ServerEvent] {
        var out: [ServerEvent] = []
        while let e = server.pollEvent() { out.append(e) }
        return out
    }

    /// OPEN without a token, take the CHALLENGE, OPEN again with it: the session exists afterwards.
    /// Returns the token.
    @discardableResult
    mutating func establish(_ id: ClientID = testClientA, tag: UInt32 = 1, count: UInt32, window: UInt32 = 65_536,
                            from source: PeerAddress = home) -> UInt64 {
        sendOpen(id, tag: tag, count: count, window: window, from: source)
        guard let reply = poll(), let challenge = reply.message.challenge else {
            Issue.record("expected a CHALLENGE"); return 0
        }
        sendOpen(id, tag: tag, count: count, window: window, token: challenge.token, from: source)
        return challenge.token
    }
}

/// The fields of a session that the tests check are left alone.
private struct SessionSnapshot: Equatable {
    var tag: UInt32, window: UInt32, address: PeerAddress, acknowledged: UInt32, cursor: UInt32
    var sentThrough: UInt32, pending: [IndexRange], lastAckSeq: UInt32, drainedAckSeq: UInt32
    var trailerOwed: Bool, lastHeard: Instant, nextSendAt: Instant, stats: SessionStats

    init(_ s: ServerSession) {
        tag = s.tag; window = s.window; address = s.address; acknowledged = s.acknowledged; cursor = s.cursor
        sentThrough = s.sentThrough; pending = (0..<s.pending.count).map { s.pending[$0] }
        lastAckSeq = s.lastAckSeq; drainedAckSeq = s.drainedAckSeq; trailerOwed = s.trailerOwed
        lastHeard = s.lastHeard; nextSendAt = s.nextSendAt; stats = s.stats
    }
}

/// A full-speed session under the model controller, over an emulated path of ten datagrams per
/// 100 µs (120 MB/s), for the tests of the controller's window in the engine.
private struct ControlledPath {
    var h = ServerHarness { $0.interval = .zero; $0.batch = 294; $0.congestionControl = .model }
    var ackSeq: UInt32 = 1
    /// One past the highest index any DATA taken so far carried.
    var received: UInt32 = 0

    init() { h.establish(count: 50_000_000, window: 1_048_576) }

    /// Takes DATA from `out` (or all that is due now), returns how many.
    mutating func takeData(_ out: [(message: Decoded, length: Int, to: PeerAddress)]? = nil) -> Int {
        var count = 0
        for d in out ?? h.pollAll() {
            if let data = d.message.data { count += 1; received = max(received, data.index + UInt32(data.numbers.count)) }
        }
        return count
    }

    /// Takes what is due every 10 µs for `steps` steps; returns how many DATA.
    mutating func takeData(steps: Int) -> Int {
        var count = 0
        for _ in 0..<steps {
            count += takeData()
            h.now = h.now + .microseconds(10)
        }
        return count
    }

    mutating func acknowledge(through index: UInt32, flags: AckMessage.Flags = []) {
        ackSeq += 1
        h.sendAck(flags: flags, ackSeq: ackSeq, cumulative: index, highest: index)
    }

    /// 30 ms of the path, what it carried each 100 µs acknowledged at the end of them; returns the
    /// controller's window then.
    mutating func measure() -> Int? {
        for _ in 0..<300 {
            var carried: [(message: Decoded, length: Int, to: PeerAddress)] = []
            while carried.count < 10, let d = h.poll() { carried.append(d) }
            _ = takeData(carried)
            h.now = h.now + .microseconds(100)
            acknowledge(through: received)
        }
        guard let window = h.server.congestionState(of: testClientA)?.window, window > 0 else {
            Issue.record("no controller window after 30 ms of ACKs"); return nil
        }
        return window
    }

    /// No more ACKs: sends until the window holds DATA back for a millisecond; returns when the
    /// last DATA left.
    mutating func fillWindow() -> Instant {
        let holdsBefore = h.server.congestionCounters.windowHolds
        var lastDataAt = h.now
        for _ in 0..<2_000 {
            if takeData() > 0 { lastDataAt = h.now }
            if h.server.congestionCounters.windowHolds > holdsBefore && h.now - lastDataAt >= .milliseconds(1) { break }
            h.now = h.now + .microseconds(10)
        }
        return lastDataAt
    }
}

@Suite struct ServerEngineTests {
    // MARK: Address validation and session creation

    @Test func firstOpenWithoutTokenGetsOnlyAChallenge() {
        var h = ServerHarness()
        h.sendOpen(tag: 0xABCD, count: 100)
        #expect(h.server.sessionCount == 0)
        #expect(h.server.nextDeadline == .zero)
        let out = h.pollAll()
        #expect(out.count == 1)
        #expect(out.first?.length == ChallengeMessage.size)
        #expect(ChallengeMessage.size == 18 && ChallengeMessage.size <= OpenMessage.size)
        #expect(out.first?.to == ServerHarness.home)
        #expect(out.first?.message == .challenge(ChallengeMessage(tag: 0xABCD, token: h.expectedToken(for: ServerHarness.home, testClientA))))
        #expect(h.server.sessionCount == 0)
        #expect(h.server.counters.challengesSent == 1)
        #expect(h.server.counters.sessionsCreated == 0)
        #expect(h.events() == [])
        #expect(h.server.nextDeadline == nil)
    }

    @Test func openWithTokenCreatesSessionAndDataFollowsImmediately() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 5 }
        let token = h.establish(tag: 9, count: 100)
        #expect(token == h.expectedToken(for: ServerHarness.home, testClientA))
        #expect(h.server.sessionCount == 1)
        #expect(h.events() == [.created(testClientA, total: 100, address: ServerHarness.home)])
        let s = h.session(testClientA)!
        #expect(s.total == 100 && s.tag == 9 && s.address == ServerHarness.home)
        #expect(h.server.nextDeadline == h.now)
        let out = h.pollAll()
        #expect(out.count == 1)
        #expect(out.first?.to == ServerHarness.home)
        #expect(out.first?.length == DataMessage.size(count: 5))
        #expect(out.first?.message.data == OwnedData(tag: 9, echo: 1, total: 100, index: 0,
                                                     numbers: sequenceNumbers(s.generator, 0..<5)))
    }

    /// A token names the address, the client and the epoch: it is refused at another address, for
    /// another client, and two periods later.
    @Test func tokenIsBoundToAddressClientAndTime() {
        var h = ServerHarness()
        let token = h.expectedToken(for: ServerHarness.home, testClientA)
        h.sendOpen(count: 10, token: token, from: ServerHarness.elsewhere)
        h.sendOpen(testClientB, count: 10, token: token)
        #expect(h.pollAll().map { $0.message.challenge != nil } == [true, true])
        #expect(h.server.sessionCount == 0)
        h.now = h.now + h.config.tokenPeriod * 2
        h.sendOpen(count: 10, token: token)
        #expect(h.pollAll().map { $0.length } == [ChallengeMessage.size])
        #expect(h.server.sessionCount == 0)
        // One period later it is still good.
        h.now = Instant(nanoseconds: 1_000_000_000_000) + h.config.tokenPeriod
        h.sendOpen(count: 10, token: token)
        #expect(h.server.sessionCount == 1)
    }

    // MARK: Sending

    /// No DATA reaches beyond acknowledged + window, and the window edge clips a batch.
    @Test func dataNeverExceedsTheWindow() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10; $0.window = 65_536 }
        h.establish(count: 2000, window: Limits.minWindow)          // the client's window is smaller
        #expect(h.session(testClientA)?.window == Limits.minWindow)
        let first = h.pollAll().compactMap { $0.message.data }
        #expect(first.count == 30)
        #expect(first.last?.index == 290)
        #expect(first.last?.numbers.count == 4)
        #expect(first.map { $0.index } == Array(stride(from: UInt32(0), to: 294, by: 10)))

        var acked: UInt32 = 0, received: UInt32 = 294, ackSeq: UInt32 = 1, sawTrailer = false
        var rounds = 0
        while !sawTrailer && rounds < 100 {
            rounds += 1
            // Acknowledge half of what arrived, so the window is sometimes partly open.
            acked = received - (received - acked) / 2
            ackSeq += 1
            h.now = h.now + .milliseconds(1)
            h.sendAck(ackSeq: ackSeq, cumulative: acked, highest: received)
            for d in h.pollAll() {
                if let data = d.message.data {
                    #expect(data.index == received, "in order, nothing skipped or repeated")
                    #expect(data.index >= acked)
                    #expect(data.index + UInt32(data.numbers.count) <= acked + Limits.minWindow, "beyond the window")
                    received = data.index + UInt32(data.numbers.count)
                } else if d.message.trailer != nil {
                    sawTrailer = true
                }
            }
            if !sawTrailer { #expect(received == min(acked + Limits.minWindow, 2000), "the window is filled") }
        }
        #expect(sawTrailer)
        #expect(received == 2000)
    }

    /// With interval 1 s, the second DATA is due exactly 1 s after the first, not earlier.
    @Test func intervalPacesData() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 1 }
        let t0 = h.now
        h.establish(count: 10)
        #expect(h.pollAll().map { $0.message.data?.index } == [0])
        #expect(h.server.nextDeadline == t0 + .seconds(1 as UInt64))
        h.now = t0 + .milliseconds(999)
        #expect(h.pollAll().isEmpty)
        h.now = t0 + Nanoseconds(999_999_999)
        #expect(h.pollAll().isEmpty)
        h.now = t0 + .seconds(1 as UInt64)
        #expect(h.pollAll().map { $0.message.data?.index } == [1])
        #expect(h.server.nextDeadline == t0 + .seconds(2 as UInt64))
        // An ACK in between neither speeds up nor delays the pace.
        h.now = t0 + .milliseconds(1500)
        h.sendAck(ackSeq: 2, cumulative: 2, highest: 2)
        #expect(h.pollAll().isEmpty)
        #expect(h.server.nextDeadline == t0 + .seconds(2 as UInt64))
        h.now = t0 + .seconds(2 as UInt64)
        #expect(h.pollAll().map { $0.message.data?.index } == [2])
    }

    /// A send more than `lateThreshold` after its paced time is counted late, and the pace catches
    /// up (the next send stays on the original grid).
    @Test func lateSendIsCountedAndPaceCatchesUp() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 1 }
        let t0 = h.now
        h.establish(count: 100)
        #expect(h.pollAll().count == 1)
        h.now = t0 + .milliseconds(1050)                          // exactly the threshold late: on time
        #expect(h.pollAll().count == 1)
        #expect(h.server.counters.lateSends == 0)
        h.now = t0 + .milliseconds(2200)                          // 200 ms late
        #expect(h.pollAll().map { $0.message.data?.index } == [2])
        #expect(h.server.counters.lateSends == 1)
        #expect(h.server.nextDeadline == t0 + .seconds(3 as UInt64))
    }

    /// A session stalled on a full window is not "late" when an ACK opens the window: it sends at
    /// once and paces from there.
    @Test func sendingAfterAWindowStallIsNotLate() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 147; $0.window = Limits.minWindow }
        let t0 = h.now
        h.establish(count: 1000)
        #expect(h.pollAll().map { $0.message.data?.index } == [0])
        h.now = t0 + .seconds(1 as UInt64)
        #expect(h.pollAll().map { $0.message.data?.index } == [147])
        h.now = t0 + .seconds(5 as UInt64)                        // the window has been full for 3 s
        #expect(h.pollAll().isEmpty)
        h.sendAck(ackSeq: 2, cumulative: 294, highest: 294)
        #expect(h.pollAll().map { $0.message.data?.index } == [294])
        #expect(h.server.counters.lateSends == 0)
        #expect(h.server.nextDeadline == t0 + .seconds(6 as UInt64))
    }

    /// Requested ranges are re-sent, exactly, before any new number, and the echo tells the client
    /// when its requests have all gone out.
    @Test func ackRangesAreRetransmittedBeforeNewData() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 5; $0.window = Limits.minWindow }
        h.establish(count: 1000)
        let seed = h.session(testClientA)!.seed
        let g = SequenceGenerator(seed: seed)
        #expect(h.pollAll().compactMap { $0.message.data }.last.map { $0.index + UInt32($0.numbers.count) } == 294)
        h.now = h.now + .milliseconds(10)
        h.sendAck(ackSeq: 2, cumulative: 10, highest: 294, ranges: [IndexRange(12, 15), IndexRange(50, 52)])
        let out = h.pollAll().map { $0.message }
        #expect(out == [
            .data(OwnedData(tag: 1, echo: 1, total: 1000, index: 12, numbers: sequenceNumbers(g, 12..<15))),
            .data(OwnedData(tag: 1, echo: 2, total: 1000, index: 50, numbers: sequenceNumbers(g, 50..<52))),
            .data(OwnedData(tag: 1, echo: 2, total: 1000, index: 294, numbers: sequenceNumbers(g, 294..<299))),
            .data(OwnedData(tag: 1, echo: 2, total: 1000, index: 299, numbers: sequenceNumbers(g, 299..<304))),
        ])
        #expect(h.server.counters.retransmittedDatagrams == 2)
        #expect(h.server.counters.retransmittedNumbers == 5)
        #expect(h.server.counters.rangesRequested == 2)
    }

    /// A requested range longer than the batch is re-sent in batch-sized pieces, and a range below
    /// the cumulative ACK is clipped.
    @Test func longRequestedRangeIsSplitIntoBatches() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 4; $0.window = Limits.minWindow }
        h.establish(count: 294)
        _ = h.pollAll()
        h.sendAck(ackSeq: 2, cumulative: 100, highest: 294, ranges: [IndexRange(100, 110)])
        #expect(h.pollAll().compactMap { $0.message.data.map { IndexRange($0.index, $0.index + UInt32($0.numbers.count)) } }
                == [IndexRange(100, 104), IndexRange(104, 108), IndexRange(108, 110)])
    }

    /// A probe says nothing from `highest` up arrived: the cursor goes back to it.
    @Test func probeRewindsCursorToHighest() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10; $0.window = Limits.minWindow }
        h.establish(count: 1000)
        _ = h.pollAll()
        #expect(h.session(testClientA)?.cursor == 294)
        h.now = h.now + .milliseconds(500)
        h.sendAck(flags: .probe, ackSeq: 2, cumulative: 100, highest: 150)
        #expect(h.session(testClientA)?.cursor == 150)
        #expect(h.server.counters.probesReceived == 1)
        let out = h.pollAll().compactMap { $0.message.data }
        #expect(out.first?.index == 150)
        #expect(out.map { $0.index } == Array(stride(from: UInt32(150), to: 394, by: 10)))
        #expect(out.last.map { $0.index + UInt32($0.numbers.count) } == 394)      // 100 + 294
        #expect(h.server.counters.retransmittedDatagrams == 15)                   // 150…299
    }

    /// A probe never rewinds below the cumulative ACK.
    @Test func probeDoesNotRewindBelowCumulative() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10; $0.window = Limits.minWindow }
        h.establish(count: 1000)
        _ = h.pollAll()
        h.sendAck(ackSeq: 2, cumulative: 200, highest: 294)
        _ = h.pollAll()
        // A probe whose `highest` lies below what was already acknowledged (an older view).
        h.sendAck(flags: .probe, ackSeq: 3, cumulative: 100, highest: 150)
        #expect(h.session(testClientA)?.acknowledged == 200)
        #expect(h.session(testClientA)?.cursor == 200)
        #expect(h.pollAll().compactMap { $0.message.data }.first?.index == 200)
    }

    /// With the model controller, a session whose controller window is full sends no DATA until
    /// an ACK leaves it below the window (and then at once), or until `windowHold` passes without
    /// one (lost ACKs), and then one DATA.
    @Test func aFullControllerWindowHoldsDataUntilAnAckOrTheHold() {
        var path = ControlledPath()
        guard let window = path.measure() else { return }
        let acknowledged = path.received
        let lastDataAt = path.fillWindow()
        #expect(path.h.server.congestionCounters.windowHolds > 0, "the window filled")
        // In the controller's measure: bytes of DATA per number (1,200 B carry 294).
        let inFlight = Int(Double(path.received - acknowledged) * 1_200 / 294)
        #expect(inFlight >= window - 1_200 && inFlight <= window + 1_200,
                "held at the window: \(inFlight) bytes of numbers in flight, window \(window)")
        // Nothing until the hold ends, then one DATA.
        while path.h.now + .microseconds(10) < lastDataAt + CongestionTable.windowHold {
            #expect(path.takeData() == 0, "DATA while held, \(path.h.now - lastDataAt) after the last")
            path.h.now = path.h.now + .microseconds(10)
        }
        path.h.now = lastDataAt + CongestionTable.windowHold
        #expect(path.takeData() == 1, "one DATA when the hold ends without an ACK")
        // An ACK of everything opens the window: DATA at once, at the same instant.
        path.h.now = path.h.now + .microseconds(100)
        path.acknowledge(through: path.received)
        #expect(path.takeData() >= 1, "an ACK that opens the window lets DATA go at once")
    }

    /// The first round's ACK raises the rate from the initial 12 Mbit/s: the DATA already
    /// scheduled 0.8 ms after the initial burst goes at the new rate, not at the old one's gap.
    @Test func aFasterRateAppliesToTheDataAlreadyScheduled() {
        var path = ControlledPath()
        #expect(path.takeData() == ModelController.initialBurst, "the initial burst, then the initial pace")
        path.h.now = path.h.now + .microseconds(100)
        #expect(path.takeData() == 0)
        path.acknowledge(through: path.received)
        let rate = path.h.server.congestionState(of: testClientA)?.pacingRate ?? 0
        #expect(rate > 10 * ModelController.initialRate, "the first round's sample: \(rate) B/s")
        let sent = path.takeData(steps: 10)
        #expect(sent >= 1, "DATA within 100 µs of the ACK, not 0.8 ms after the first")
    }

    /// A probe that rewinds the session (everything above the client's `highest` was lost) also
    /// empties the controller's window: the resend goes at once, not one DATA per hold.
    @Test func aProbesRewindOpensAFullControllerWindow() {
        var path = ControlledPath()
        guard path.measure() != nil else { return }
        let acknowledged = path.received
        _ = path.fillWindow()
        path.h.now = path.h.now + .microseconds(100)
        #expect(path.takeData() == 0, "held")
        path.acknowledge(through: acknowledged, flags: .probe)
        #expect(path.h.session(testClientA)?.cursor == acknowledged, "the session rewound")
        // Within the next 200 µs (the 5 ms hold is far off): paced DATA, not one and a wait.
        let resent = path.takeData(steps: 20)
        #expect(resent >= 5, "the resend is not held by what the rewind declared lost: \(resent) DATA")
    }

    // MARK: Completion and expiry

    @Test func ackDoneRemovesSessionAtOnce() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10 }
        h.establish(count: 20)
        let out = h.pollAll().map { $0.message }
        #expect(out.count == 3)
        #expect(out.last?.trailer != nil)
        _ = h.events()
        h.now = h.now + .milliseconds(3)
        h.sendAck(flags: .done, ackSeq: 2, cumulative: 20, highest: 20)
        #expect(h.server.sessionCount == 0)
        #expect(h.session(testClientA) == nil)
        #expect(h.server.counters.sessionsCompleted == 1)
        var stats = SessionStats()
        stats.dataSent = 2; stats.trailersSent = 1; stats.acksReceived = 1
        #expect(h.events() == [.ended(testClientA, total: 20, acknowledged: 20, reason: .completed, stats: stats)])
        // The client's second copy: nothing to answer.
        h.sendAck(flags: .done, ackSeq: 3, cumulative: 20, highest: 20)
        #expect(h.pollAll().isEmpty)
        #expect(h.server.counters.rejectsSent == 0)
        #expect(h.server.counters.lateCompletions == 1)
    }

    /// A copy of the token-carrying OPEN that the path held back past the DONE must not start the
    /// transfer again (it would stream a window to a client that has finished); a new process of
    /// the same client (another tag) may.
    @Test func lateOpenCopyAfterCompletionIsDropped() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10 }
        let token = h.establish(count: 20, window: 1_024)
        _ = h.pollAll()
        h.sendAck(flags: .done, ackSeq: 2, cumulative: 20, highest: 20)
        #expect(h.server.sessionCount == 0)
        h.sendOpen(count: 20, window: 1_024, token: token)
        #expect(h.server.sessionCount == 0)
        #expect(h.pollAll().isEmpty)
        #expect(h.server.counters.lateCompletions == 1)
        #expect(h.server.counters.sessionsCreated == 1)
        h.sendOpen(tag: 2, count: 20, window: 1_024, token: token)
        #expect(h.server.sessionCount == 1)
        #expect(h.server.counters.sessionsCreated == 2)
    }

    /// DONE for numbers never sent is refused: the session stays.
    @Test func ackDoneBeforeEverythingWasSentIsDropped() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 10 }
        h.establish(count: 20)
        _ = h.pollAll()                                   // only [0,10) sent
        h.sendAck(flags: .done, ackSeq: 2, cumulative: 20, highest: 20)
        #expect(h.server.sessionCount == 1)
        #expect(h.server.counters.invalidDropped == 1)
    }

    @Test func sessionExpiresAfterTTLOfSilence() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10 }
        let t0 = h.now
        let ttl = h.config.sessionTTL
        h.establish(count: 20)
        #expect(h.pollAll().count == 3)                   // 2 DATA + TRAILER, then idle
        #expect(h.server.nextDeadline == t0 + ttl)
        // A datagram from the client restarts the clock.
        let t1 = t0 + .seconds(10 as UInt64)
        h.now = t1
        h.sendAck(ackSeq: 2, cumulative: 5, highest: 20)
        h.now = t0 + ttl
        #expect(h.pollAll().isEmpty)
        #expect(h.server.sessionCount == 1)
        #expect(h.server.nextDeadline == t1 + ttl)
        h.now = t1 + Nanoseconds(ttl.value - 1)
        _ = h.pollAll()
        #expect(h.server.sessionCount == 1)
        _ = h.events()
        h.now = t1 + ttl
        #expect(h.pollAll().isEmpty)
        #expect(h.server.sessionCount == 0)
        #expect(h.server.counters.sessionsExpired == 1)
        var stats = SessionStats()
        stats.dataSent = 2; stats.trailersSent = 1; stats.acksReceived = 1
        #expect(h.events() == [.ended(testClientA, total: 20, acknowledged: 5, reason: .expired, stats: stats)])
        #expect(h.server.nextDeadline == nil)
    }

    /// A paced session that is never acknowledged also expires exactly at lastHeard + TTL.
    @Test func pacedSessionExpiresAtTTL() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64) }
        let t0 = h.now
        h.establish(count: 1000)
        for k in UInt64(0)..<30 {
            h.now = t0 + .seconds(k)
            #expect(h.pollAll().count == 1, "second \(k)")
        }
        h.now = t0 + h.config.sessionTTL
        #expect(h.pollAll().isEmpty)
        #expect(h.server.sessionCount == 0)
        var stats = SessionStats()
        stats.dataSent = 30
        #expect(h.events().last == .ended(testClientA, total: 1000, acknowledged: 0, reason: .expired, stats: stats))
    }

    // MARK: Rejections

    @Test func openCountZeroForUnknownClientIsRejectedUnknownSession() {
        var h = ServerHarness()
        h.sendOpen(tag: 77, count: 0)
        let out = h.pollAll()
        #expect(out.map { $0.length } == [RejectMessage.size])
        #expect(RejectMessage.size == 11)
        #expect(out.first?.message == .reject(RejectMessage(tag: 77, reason: .unknownSession)))
        #expect(out.first?.to == ServerHarness.home)
        #expect(h.server.sessionCount == 0)
        // So is a resume point above 0 for a client the server does not know.
        h.sendOpen(tag: 78, count: 100, resumeFrom: 5)
        #expect(h.pollAll().map { $0.message } == [.reject(RejectMessage(tag: 78, reason: .unknownSession))])
    }

    @Test func ackForUnknownSessionIsRejectedUnknownSession() {
        var h = ServerHarness()
        h.sendAck(tag: 5, ackSeq: 2, cumulative: 0, highest: 0)
        #expect(h.pollAll().map { $0.message } == [.reject(RejectMessage(tag: 5, reason: .unknownSession))])
        #expect(h.events() == [.refused(reason: .unknownSession, tag: 5, address: ServerHarness.home)])
    }

    @Test func openWithDifferentCountIsRejectedCountMismatch() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64) }
        h.establish(count: 100)
        _ = h.pollAll()
        let before = SessionSnapshot(h.session(testClientA)!)
        h.sendOpen(tag: 2, count: 200, ackSeq: 5)
        let out = h.pollAll()
        #expect(out.map { $0.message } == [.reject(RejectMessage(tag: 2, reason: .countMismatch))])
        #expect(out.first?.length == 11)
        #expect(SessionSnapshot(h.session(testClientA)!) == before)
    }

    @Test func resumeBeyondWhatWasSentIsRejectedInvalidResume() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 10 }
        h.establish(count: 100)
        _ = h.pollAll()                                     // [0,10) sent
        h.sendOpen(tag: 2, count: 0, resumeFrom: 11, ackSeq: 5)
        #expect(h.pollAll().map { $0.message } == [.reject(RejectMessage(tag: 2, reason: .invalidResume))])
        h.sendOpen(tag: 2, count: 0, resumeFrom: 10, ackSeq: 5)
        #expect(h.session(testClientA)?.tag == 2)
    }

    @Test func maxSessionsBoundRejectsServerFull() {
        var h = ServerHarness { $0.maxSessions = 1; $0.interval = .zero; $0.batch = 10 }
        h.establish(count: 10)
        _ = h.pollAll()
        // B must prove its address first, and only then is told the server is full.
        let tokenB = h.expectedToken(for: ServerHarness.elsewhere, testClientB)
        h.sendOpen(testClientB, tag: 3, count: 10, from: ServerHarness.elsewhere)
        #expect(h.pollAll().map { $0.message } == [.challenge(ChallengeMessage(tag: 3, token: tokenB))])
        h.sendOpen(testClientB, tag: 3, count: 10, token: tokenB, from: ServerHarness.elsewhere)
        let out = h.pollAll()
        #expect(out.map { $0.message } == [.reject(RejectMessage(tag: 3, reason: .serverFull))])
        #expect(out.first?.to == ServerHarness.elsewhere)
        #expect(h.server.sessionCount == 1)
        #expect(h.session(testClientB) == nil)
        // Once A completes there is room.
        h.sendAck(flags: .done, ackSeq: 2, cumulative: 10, highest: 10)
        h.sendOpen(testClientB, tag: 3, count: 10, token: tokenB, from: ServerHarness.elsewhere)
        #expect(h.session(testClientB) != nil)
    }

    // MARK: Resume and migration

    @Test func resumeFromNewAddressNeedsTokenThenMigrates() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10; $0.window = Limits.minWindow }
        h.establish(tag: 1, count: 1000)
        _ = h.pollAll()
        _ = h.events()
        let before = SessionSnapshot(h.session(testClientA)!)

        // A new process (tag 2) at a new address, without a token: challenged, nothing changes.
        h.now = h.now + .seconds(1 as UInt64)
        h.sendOpen(tag: 2, count: 0, resumeFrom: 50, ackSeq: 1, from: ServerHarness.elsewhere)
        let challenge = h.pollAll()
        #expect(challenge.map { $0.message } == [.challenge(ChallengeMessage(tag: 2, token: h.expectedToken(for: ServerHarness.elsewhere, testClientA)))])
        #expect(challenge.first?.to == ServerHarness.elsewhere)
        #expect(SessionSnapshot(h.session(testClientA)!) == before)

        // With the token: the session moves, and DATA goes to the new address with the new tag.
        h.sendOpen(tag: 2, count: 0, resumeFrom: 50, token: challenge.first!.message.challenge!.token, ackSeq: 1,
                   from: ServerHarness.elsewhere)
        let s = h.session(testClientA)!
        #expect(s.address == ServerHarness.elsewhere && s.tag == 2 && s.acknowledged == 50 && s.cursor == 50)
        #expect(h.server.counters.migrations == 1)
        #expect(h.server.counters.sessionsResumed == 1)
        #expect(h.events() == [.moved(testClientA, address: ServerHarness.elsewhere), .resumed(testClientA, from: 50, address: ServerHarness.elsewhere)])
        let out = h.pollAll()
        #expect(!out.isEmpty)
        #expect(out.allSatisfy { $0.to == ServerHarness.elsewhere })
        #expect(out.compactMap { $0.message.data }.allSatisfy { $0.tag == 2 })
        #expect(out.first?.message.data?.index == 50)
        #expect(out.last?.message.data.map { $0.index + UInt32($0.numbers.count) } == 344)   // 50 + 294
    }

    /// An ACK from an address that is not the session's, without a valid token, is answered with
    /// an 18-byte CHALLENGE (never more than it sent) and changes nothing.
    @Test func spoofedAckGetsOnlyAChallengeAndChangesNothing() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 10; $0.window = Limits.minWindow }
        h.establish(count: 100)
        _ = h.pollAll()                                     // [0,10)
        let before = SessionSnapshot(h.session(testClientA)!)
        let countersBefore = h.server.counters
        h.now = h.now + .milliseconds(100)
        // A probe asking to rewind and re-send, from elsewhere, with a made-up token.
        h.sendAck(flags: .probe, token: 0x1234, ackSeq: 9, cumulative: 5, highest: 5, from: ServerHarness.spoofed)
        let out = h.pollAll()
        #expect(out.count == 1)
        #expect(out.first?.length == ChallengeMessage.size)
        #expect(out.first?.to == ServerHarness.spoofed)
        #expect(out.first?.message.challenge?.token == h.expectedToken(for: ServerHarness.spoofed, testClientA))
        #expect(SessionSnapshot(h.session(testClientA)!) == before)
        #expect(h.server.counters.probesReceived == countersBefore.probesReceived)
        #expect(h.server.counters.migrations == 0)
        // A DONE from elsewhere cannot end the session either.
        h.sendAck(flags: .done, ackSeq: 10, cumulative: 10, highest: 10, from: ServerHarness.spoofed)
        #expect(h.server.sessionCount == 1)
        #expect(h.pollAll().map { $0.length } == [ChallengeMessage.size])
    }

    /// An ACK with a valid token from a new address moves the session there.
    @Test func ackWithTokenFromNewAddressMigrates() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 10 }
        h.establish(count: 100)
        _ = h.pollAll()
        let token = h.expectedToken(for: ServerHarness.elsewhere, testClientA)
        h.sendAck(token: token, ackSeq: 2, cumulative: 10, highest: 10, from: ServerHarness.elsewhere)
        #expect(h.session(testClientA)?.address == ServerHarness.elsewhere)
        #expect(h.session(testClientA)?.acknowledged == 10)
        #expect(h.server.counters.migrations == 1)
        #expect(h.events().last == .moved(testClientA, address: ServerHarness.elsewhere))
        h.now = h.now + .seconds(1 as UInt64)
        #expect(h.pollAll().map { $0.to } == [ServerHarness.elsewhere])
    }

    @Test func ackClaimingMoreThanWasSentIsDropped() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64); $0.batch = 10 }
        h.establish(count: 100)
        _ = h.pollAll()                                     // sentThrough = 10
        let before = SessionSnapshot(h.session(testClientA)!)
        h.now = h.now + .milliseconds(10)
        h.sendAck(ackSeq: 2, cumulative: 0, highest: 11, ranges: [IndexRange(3, 11)])
        #expect(h.server.counters.invalidDropped == 1)
        h.sendAck(ackSeq: 3, cumulative: 11, highest: 11)
        #expect(h.server.counters.invalidDropped == 2)
        #expect(SessionSnapshot(h.session(testClientA)!) == before)
        #expect(h.pollAll().isEmpty)
        // Exactly what was sent is fine.
        h.sendAck(ackSeq: 4, cumulative: 10, highest: 10)
        #expect(h.server.counters.invalidDropped == 2)
        #expect(h.session(testClientA)?.acknowledged == 10)
    }

    /// A repeated OPEN of the same process (same tag, no newer ackSeq) does not rewind the stream.
    @Test func repeatedOpenOfSameProcessDoesNotRewind() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10; $0.window = Limits.minWindow }
        let token = h.establish(count: 1000)
        _ = h.pollAll()
        h.sendAck(ackSeq: 2, cumulative: 100, highest: 294)
        _ = h.pollAll()
        let before = SessionSnapshot(h.session(testClientA)!)
        h.sendOpen(count: 1000, token: token, ackSeq: 1)             // the first OPEN, duplicated late
        #expect(SessionSnapshot(h.session(testClientA)!).cursor == before.cursor)
        #expect(h.session(testClientA)?.acknowledged == 100)
        #expect(h.server.counters.sessionsResumed == 0)
        #expect(h.pollAll().isEmpty)
    }

    /// Once a new process (tag) has taken over, the old process's ACKs are ignored.
    @Test func ackWithOldTagAfterResumeIsDropped() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10 }
        h.establish(tag: 1, count: 100)
        _ = h.pollAll()
        h.sendOpen(tag: 2, count: 100, resumeFrom: 0, ackSeq: 1)
        #expect(h.session(testClientA)?.tag == 2)
        let dropped = h.server.counters.invalidDropped
        h.sendAck(tag: 1, ackSeq: 50, cumulative: 100, highest: 100)
        #expect(h.server.counters.invalidDropped == dropped + 1)
        #expect(h.session(testClientA)?.acknowledged == 0)
    }

    // MARK: Trailer

    @Test func trailerCarriesChecksumOfTheWholeSequence() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 100 }
        h.establish(tag: 4, count: 1000)
        let seed = h.session(testClientA)!.seed
        let expected = SequenceChecksum.of(SequenceGenerator(seed: seed), count: 1000)
        let out = h.pollAll().map { $0.message }
        #expect(out.count == 11)
        let numbers = out.compactMap { $0.data }.flatMap { $0.numbers }
        #expect(numbers == sequenceNumbers(SequenceGenerator(seed: seed), 0..<1000))
        let bytes = numbers.flatMap { w in [UInt8(w >> 24), UInt8((w >> 16) & 0xff), UInt8((w >> 8) & 0xff), UInt8(w & 0xff)] }
        #expect(out.last == .trailer(TrailerMessage(tag: 4, echo: 1, total: 1000, sequenceCRC: expected.crcValue, sum: expected.sum)))
        #expect(out.last?.trailer?.sequenceCRC == referenceCRC32C(bytes))
        #expect(out.last?.trailer?.sum == numbers.reduce(UInt64(0)) { $0 + UInt64($1) })
    }

    /// After everything (and the trailer) went out, a new process rewinds to 0: every number is
    /// sent again and the trailer is still right.
    @Test func rewindAfterWholeSequenceStillYieldsCorrectTrailer() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 100 }
        h.establish(tag: 1, count: 1000)
        let g = SequenceGenerator(seed: h.session(testClientA)!.seed)
        let expected = SequenceChecksum.of(g, count: 1000)
        #expect(h.pollAll().last?.message.trailer?.sequenceCRC == expected.crcValue)
        h.now = h.now + .seconds(1 as UInt64)
        h.sendOpen(tag: 2, count: 0, resumeFrom: 0, ackSeq: 1)
        let out = h.pollAll().map { $0.message }
        #expect(out.compactMap { $0.data }.flatMap { $0.numbers } == sequenceNumbers(g, 0..<1000))
        #expect(out.compactMap { $0.data }.allSatisfy { $0.tag == 2 })
        #expect(out.last == .trailer(TrailerMessage(tag: 2, echo: 1, total: 1000, sequenceCRC: expected.crcValue, sum: expected.sum)))
        #expect(h.server.counters.retransmittedDatagrams == 10)
        #expect(h.server.counters.trailersSent == 2)
    }

    /// A rewind in the middle, with batches that then straddle the first-sent edge, still folds
    /// every index into the trailer exactly once.
    @Test func rewindMidwayStillYieldsCorrectTrailer() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10; $0.window = Limits.minWindow }
        h.establish(tag: 1, count: 1000)
        let g = SequenceGenerator(seed: h.session(testClientA)!.seed)
        _ = h.pollAll()                                              // [0,294)
        h.sendOpen(tag: 2, count: 1000, resumeFrom: 3, ackSeq: 1)    // batches now start at 3, 13, …
        var received = [UInt32: UInt32]()
        var trailer: TrailerMessage?
        var acked: UInt32 = 3, ackSeq: UInt32 = 1
        for _ in 0..<100 where trailer == nil {
            for d in h.pollAll() {
                if let data = d.message.data {
                    for (k, v) in data.numbers.enumerated() { received[data.index + UInt32(k)] = v }
                } else if let t = d.message.trailer { trailer = t }
            }
            while received[acked] != nil { acked += 1 }
            ackSeq += 1
            h.sendAck(tag: 2, ackSeq: ackSeq, cumulative: acked, highest: acked)
        }
        let expected = SequenceChecksum.of(g, count: 1000)
        #expect(trailer == TrailerMessage(tag: 2, echo: trailer?.echo ?? 0, total: 1000, sequenceCRC: expected.crcValue, sum: expected.sum))
        #expect(h.session(testClientA)?.checksum == expected)
        #expect((3..<1000).allSatisfy { received[UInt32($0)] == g.number(at: UInt32($0)) })
    }

    /// A client that probes at the end (its trailer was lost) is sent the trailer again.
    @Test func probeAtTheEndResendsTrailer() {
        var h = ServerHarness { $0.interval = .zero; $0.batch = 10 }
        h.establish(count: 20)
        #expect(h.pollAll().last?.message.trailer != nil)
        h.sendAck(flags: .probe, ackSeq: 2, cumulative: 20, highest: 20)
        let out = h.pollAll().map { $0.message }
        #expect(out.count == 1)
        #expect(out.first?.trailer?.total == 20)
        #expect(out.first?.trailer?.echo == 2)
    }

    // MARK: Junk

    @Test func serverToClientTypesAreCountedAsInvalid() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64) }
        h.establish(count: 100)
        _ = h.pollAll()
        let before = SessionSnapshot(h.session(testClientA)!)
        let deadline = h.server.nextDeadline
        h.send(encoded(ChallengeMessage(tag: 1, token: 5)))
        h.send(encodedData(tag: 1, total: 100, index: 0, numbers: [1, 2, 3]))
        h.send(encoded(TrailerMessage(tag: 1, echo: 0, total: 100, sequenceCRC: 0, sum: 0)))
        h.send(encoded(RejectMessage(tag: 1, reason: .serverFull)))
        #expect(h.server.counters.invalidDropped == 4)
        #expect(h.server.counters.decodeErrorTotal == 0)
        #expect(h.pollAll().isEmpty)
        #expect(h.server.nextDeadline == deadline)
        #expect(SessionSnapshot(h.session(testClientA)!) == before)
        #expect(h.server.sessionCount == 1)
    }

    @Test func garbageIsCountedAsDecodeErrorsAndChangesNothing() {
        var h = ServerHarness { $0.interval = .seconds(1 as UInt64) }
        h.establish(count: 100)
        _ = h.pollAll()
        let before = SessionSnapshot(h.session(testClientA)!)
        let deadline = h.server.nextDeadline
        var rng = SplitMix64(seed: 3)
        h.send((0..<100).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        h.send([1, 1, 0, 0, 0])
        var corrupted = encodedAck(tag: 1, clientID: testClientA, ackSeq: 2, cumulative: 1, highest: 1)
        corrupted[30] ^= 0x04
        h.send(corrupted)
        h.send([UInt8](repeating: 0, count: 1201))
        #expect(h.server.counters.decodeErrors == [.badChecksum: 2, .badSize: 2])
        #expect(h.server.counters.datagramsReceived == 2 + 4)
        #expect(h.server.counters.invalidDropped == 0)
        #expect(h.pollAll().isEmpty)
        #expect(h.server.nextDeadline == deadline)
        #expect(SessionSnapshot(h.session(testClientA)!) == before)
    }
}
