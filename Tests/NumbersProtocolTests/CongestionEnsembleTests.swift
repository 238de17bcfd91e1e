import Testing
@testable import NumbersProtocol

/// Sessions from one host share what they learnt of the path (`PathEnsembles`): a session that
/// starts behind a queue its neighbours fill sees that queue, where alone it took it for the path.
@Suite struct CongestionEnsembleTests {
    let t0 = Instant(nanoseconds: 1_000_000_000)
    let hostA1 = PeerAddress(ipv4: (10, 0, 0, 2), port: 4000)
    let hostA2 = PeerAddress(ipv4: (10, 0, 0, 2), port: 4001)
    let hostB = PeerAddress(ipv4: (10, 0, 0, 3), port: 4000)
    let idA = ClientID(high: 1, low: 1), idB = ClientID(high: 2, low: 2), idC = ClientID(high: 3, low: 3)

    @Test func aHostWithoutLiveSessionsSharesNothing() {
        var e = PathEnsembles()
        #expect(e.join(idA, from: hostA1, now: t0) == nil)
        #expect(e.join(idB, from: hostA2, now: t0) == nil, "the first member has learnt nothing yet")
        #expect(e.hosts == 1)
    }

    @Test func sessionsFromOneHostShareTheSmallestMinimumAndTheLatestBackground() {
        var e = PathEnsembles()
        _ = e.join(idA, from: hostA1, now: t0)
        e.learn(idA, SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: nil), now: t0)
        e.learn(idA, SharedPath(minRTT: .microseconds(900), measuredAt: t0, backgroundLoss: 0.2), now: t0 + .milliseconds(1))
        let shared = e.join(idB, from: hostA2, now: t0 + .milliseconds(2))
        #expect(shared == SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0.2), "another port of the same address")
        #expect(e.join(idC, from: hostB, now: t0 + .milliseconds(2)) == nil, "another address shares nothing")
        #expect(e.hosts == 2)
    }

    @Test func aMinimumOlderThanItsLifetimeIsNeitherGivenNorKept() {
        var e = PathEnsembles()
        _ = e.join(idA, from: hostA1, now: t0)
        e.learn(idA, SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0), now: t0)
        let late = t0 + PathEnsembles.minRTTLifetime
        #expect(e.join(idB, from: hostA2, now: late) == nil)
        e.learn(idA, SharedPath(minRTT: .microseconds(900), measuredAt: late, backgroundLoss: 0), now: late)
        #expect(e.join(idC, from: hostA2, now: late)?.minRTT == .microseconds(900), "the stale minimum is replaced")
    }

    /// A session that started from the host's minimum reports it back; that must not make it young,
    /// or sessions starting every few seconds would hand one measurement on for ever.
    @Test func aMinimumAgesFromItsMeasurementWhoeverReportsIt() throws {
        var e = PathEnsembles()
        _ = e.join(idA, from: hostA1, now: t0)
        e.learn(idA, SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0), now: t0)
        let later = t0 + .seconds(6 as UInt64)
        let given = e.join(idB, from: hostA2, now: later)
        let shared = try #require(given)
        let joined = ModelController(now: later, shared: shared)
        #expect(joined.sharedPath?.measuredAt == t0)
        e.learn(idB, joined.sharedPath, now: later)
        e.leave(idA)
        #expect(e.join(idC, from: hostA2, now: t0 + PathEnsembles.minRTTLifetime) == nil,
                "10 s after the measurement, whoever reported it last")
    }

    @Test func theLastSessionToLeaveTakesItsHostAlong() {
        var e = PathEnsembles()
        _ = e.join(idA, from: hostA1, now: t0)
        _ = e.join(idA, from: hostA1, now: t0)
        _ = e.join(idB, from: hostA2, now: t0)
        e.learn(idA, SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0), now: t0)
        e.leave(idA)
        #expect(e.hosts == 1, "a second join of one session counts once")
        e.leave(idB)
        e.leave(idB)
        #expect(e.hosts == 0)
        #expect(e.join(idC, from: hostA1, now: t0) == nil, "nothing outlives the host's sessions")
    }

    /// A sender at a steady 12 MB/s (a datagram every 100 µs) for 0.3 s, two of each five
    /// datagrams lost, every ACK `rtt` after its DATA: a queue's overflow, if `rtt` is longer than
    /// the path's minimum. The client reports each gap at the next arrival.
    private func drive(_ c: ModelController, rtt: Nanoseconds) -> CongestionSnapshot {
        let gap = Nanoseconds.microseconds(100), count: UInt32 = 3_000
        var next: UInt32 = 0, acked: UInt32 = 0, lost: UInt32 = 0
        while acked < count {
            let sendAt = t0 + gap * UInt64(next), ackAt = t0 + gap * UInt64(acked) + rtt
            if next < count && sendAt <= ackAt {
                next += 1
                c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: next * 294, now: sendAt)
            } else {
                acked += 1
                if acked % 5 == 2 || acked % 5 == 4 { lost += 294; continue }
                if lost > 0 { c.onLoss(numbers: lost, now: ackAt); lost = 0 }
                c.onAck(cumulative: acked * 294 - 294, highest: acked * 294, now: ackAt)
            }
        }
        return c.snapshot
    }

    /// Alone, the session takes the 10 ms its rounds take for the path and 40% loss for its
    /// background; given its host's 100 µs minimum, it sees the queue and the loss beside it,
    /// calls it congestion and cuts its estimate.
    @Test func aSessionJoiningOthersSeesTheQueueTheyFill() {
        let alone = drive(ModelController(now: t0), rtt: .milliseconds(10))
        let joined = drive(ModelController(now: t0, shared: SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0)),
                           rtt: .milliseconds(10))
        #expect(alone.minRTT == .milliseconds(10))
        #expect(alone.backgroundLoss > 0.3, "alone \(alone)")
        #expect(joined.minRTT == .microseconds(100))
        #expect(joined.backgroundLoss < 0.1, "joined \(joined)")
        #expect(joined.bandwidth < alone.bandwidth * 0.5, "joined \(joined), alone \(alone)")
    }

    /// Joining before any neighbour has a background loss: the session judges against none, and
    /// learns none from rounds that show a queue (their loss may be its overflow)…
    @Test func aJoinerWithoutASharedBackgroundLearnsNoneBehindAQueue() {
        let c = ModelController(now: t0, shared: SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: nil))
        let behindQueue = drive(c, rtt: .milliseconds(10))
        #expect(c.sharedPath?.backgroundLoss == nil, "\(behindQueue)")
        let alone = drive(ModelController(now: t0), rtt: .milliseconds(10))
        #expect(behindQueue.bandwidth < alone.bandwidth * 0.5, "joined \(behindQueue), alone \(alone)")
        // …but learns it from rounds that show none.
        let clear = ModelController(now: t0, shared: SharedPath(minRTT: .milliseconds(10), measuredAt: t0, backgroundLoss: nil))
        _ = drive(clear, rtt: .milliseconds(10))
        #expect((clear.sharedPath?.backgroundLoss ?? 0) > 0.3)
    }

    /// Loss at the background rate the host's sessions learnt is not congestion, with a queue or
    /// without one (every round trip the shared minimum).
    @Test(arguments: [Nanoseconds.milliseconds(10), .microseconds(100)])
    func lossAtTheSharedBackgroundIsNotCongestion(sharedMinRTT: Nanoseconds) {
        let joined = drive(ModelController(now: t0, shared: SharedPath(minRTT: sharedMinRTT, measuredAt: t0, backgroundLoss: 0.4)),
                           rtt: .milliseconds(10))
        let alone = drive(ModelController(now: t0), rtt: .milliseconds(10))
        #expect(joined.bandwidth >= alone.bandwidth * 0.9, "joined \(joined), alone \(alone)")
    }

    /// The server gives a session from a host with a live controller that controller's path.
    @Test func theServerSeedsASecondSessionFromTheSameHost() {
        var table = CongestionTable()
        var config = ServerConfig()
        config.interval = .zero
        config.congestionControl = .model
        let first = table.controller(for: idA, at: hostA1, config: config, now: t0) as! ModelController
        _ = drive(first, rtt: .microseconds(300))
        let ack = AckMessage(flags: [], tag: 1, clientID: idA, token: 0, ackSeq: 2, cumulative: 0, highest: 0, ranges: .empty)
        let after = t0 + .seconds(1 as UInt64)
        _ = table.acknowledged(idA, ack, from: hostA1, newRequest: false, now: after)
        let second = table.controller(for: idB, at: hostA2, config: config, now: after) as! ModelController
        let other = table.controller(for: idC, at: hostB, config: config, now: after) as! ModelController
        #expect(second.snapshot.minRTT == first.snapshot.minRTT)
        #expect(second.snapshot.minRTT != nil)
        #expect(other.snapshot.minRTT == nil)
        #expect(table.counters.controllersCreated == 3)
        #expect(table.counters.sharedStarts == 1)
        table.remove(idA)
        table.remove(idB)
        let third = table.controller(for: idA, at: hostA1, config: config, now: after + .milliseconds(10)) as! ModelController
        #expect(third.snapshot.minRTT == nil, "no live session from the host is left to share")
    }

    @Test func aHostsBandwidthIsTheSumOfItsCountedMembersEstimates() {
        let host = HostBandwidth()
        host.enter(at: 4_000)
        #expect(host.mean == nil, "one member has no one to share with")
        host.enter(at: 2_000)
        host.update(from: 4_000, to: 10_000)
        #expect(host.total == 12_000)
        #expect(host.mean == 6_000)
        host.leave(from: 10_000)
        #expect(host.total == 2_000 && host.members == 1 && host.mean == nil)
        host.leave(from: 2_000)
        #expect(host.total == 0 && host.members == 0)
    }

    /// The server's controllers of one host's sessions add their estimates to one sum once a
    /// round of theirs has measured the path, and take them back when their sessions end;
    /// another host's sessions add to their own.
    @Test func theServerSumsTheEstimatesOfOneHostsSessions() throws {
        var table = CongestionTable()
        var config = ServerConfig()
        config.interval = .zero
        config.congestionControl = .model
        let first = table.controller(for: idA, at: hostA1, config: config, now: t0) as! ModelController
        _ = table.controller(for: idB, at: hostA2, config: config, now: t0)
        _ = table.controller(for: idC, at: hostB, config: config, now: t0)
        let host = try #require(table.hostBandwidth(of: idA))
        #expect(host.members == 0, "no session has measured the path yet")
        let estimate = drive(first, rtt: .microseconds(300)).bandwidth
        #expect(estimate > 0)
        #expect(table.hostBandwidth(of: idB) === host)
        #expect(table.hostBandwidth(of: idC) !== host)
        #expect(host.members == 1, "the session without a round is not counted")
        #expect(abs(host.total - estimate) <= estimate * 1e-9)
        #expect(table.hostBandwidth(of: idC)?.total == 0)
        table.remove(idA)
        #expect(host.members == 0 && host.total == 0, "the departed session's estimate is taken back")
        first.onRemoved()
        #expect(host.members == 0, "a controller leaves its host once")
    }

    /// A session whose round was held back by its client's window (or its stream's end) wants
    /// less than its share: it leaves the mean, and enters it again at its next round that
    /// measured the path.
    @Test func aSessionHeldBackByItsClientIsNotCountedInTheMean() {
        let host = HostBandwidth()
        let c = ModelController(now: t0, shared: nil, host: host)
        let estimate = drive(c, rtt: .microseconds(300)).bandwidth
        #expect(host.members == 1)
        // One more round, its DATA sent into a full client window.
        var at = t0 + .seconds(1 as UInt64)
        let end: UInt32 = 3_001 * 294
        c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: at)
        c.onFlowLimited()
        at = at + .microseconds(300)
        c.onAck(cumulative: end, highest: end, now: at)
        #expect(host.members == 0 && host.total == 0, "held back: not counted")
        at = at + .microseconds(100)
        c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end + 294, now: at)
        at = at + .microseconds(300)
        c.onAck(cumulative: end + 294, highest: end + 294, now: at)
        #expect(host.members == 1 && host.total == c.snapshot.bandwidth, "counted again (estimate \(estimate))")
    }

    /// A session whose rounds show congestion is cut deeper when its estimate is above its host's
    /// mean, and exactly as alone when it is below.
    @Test func aCongestedSessionAboveItsHostsMeanGivesWay() {
        func joined(besideOneAt other: Double?) -> CongestionSnapshot {
            var host: HostBandwidth?
            if let other {
                host = HostBandwidth()
                host!.enter(at: other)
            }
            let c = ModelController(now: t0, shared: SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0), host: host)
            return drive(c, rtt: .milliseconds(10))
        }
        let alone = joined(besideOneAt: nil)
        #expect(joined(besideOneAt: 1e12).bandwidth == alone.bandwidth, "below the mean: cut as alone")
        let beside = joined(besideOneAt: 1_000)
        #expect(beside.bandwidth < alone.bandwidth * 0.75, "above the mean: beside \(beside), alone \(alone)")
    }
}
