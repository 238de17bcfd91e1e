import Testing
@testable import NumbersProtocol

/// When an ACK changes a session's pacing rate, the DATA already scheduled goes at the new rate,
/// unless the session waits on its window's hold: that wait is for an ACK, not for the pace.
@Suite struct CongestionRescheduleTests {
    let id = testClientA
    let peer = PeerAddress(ipv4: (10, 0, 0, 2), port: 4000)
    let t0 = Instant(nanoseconds: 1_000_000_000)

    /// One DATA of 1,200 bytes sent at `t0` through a table holding `controller`; the session.
    private func sendOne(_ table: inout CongestionTable, _ controller: StubController) -> ServerSession {
        table.install(controller, for: id, at: peer, now: t0)
        var s = ServerSession(clientID: id, seed: 1, total: 1_000_000, tag: 1, window: 65_536, address: peer, now: t0)
        s.nextSendAt = t0
        table.sent(SendRecord(kind: .data(numbers: 294, retransmit: false, late: false), length: 1_200), newNumbers: 294,
                   session: &s, id: id, controller: controller, now: t0)
        return s
    }

    private func ack(_ table: inout CongestionTable, at now: Instant) -> Double? {
        let ack = AckMessage(flags: [], tag: 1, clientID: id, token: 0, ackSeq: 2, cumulative: 294, highest: 294, ranges: .empty)
        return table.acknowledged(id, ack, from: peer, newRequest: true, now: now)
    }

    @Test func aFasterRateBringsTheNextDataForward() {
        var table = CongestionTable()
        let c = StubController(rate: 1_500_000, window: 24_000)
        var s = sendOne(&table, c)
        #expect(s.nextSendAt == t0 + .microseconds(800), "1,200 B at 1.5 MB/s")
        c.rateAfterAck = 15_000_000
        let now = t0 + .microseconds(100)
        let factor = ack(&table, at: now)
        #expect(factor == 0.1)
        s.rescheduleSend(now: now, by: factor ?? 1)
        #expect(s.nextSendAt == now + .microseconds(70), "the 700 µs left, at ten times the rate")
    }

    /// Only a rise reschedules: a slower rate leaves the DATA already due where it was (the next
    /// gap is the longer one), and a rise after it shrinks the wait by that rise alone.
    @Test func aFallLeavesTheWaitAndALaterRiseShrinksItByItself() {
        var table = CongestionTable()
        let c = StubController(rate: 1_500_000, window: 24_000)
        var s = sendOne(&table, c)
        c.rateAfterAck = 750_000
        let now = t0 + .microseconds(100)
        #expect(ack(&table, at: now) == nil)
        #expect(s.nextSendAt == t0 + .microseconds(800))
        c.rateAfterAck = 1_500_000
        let factor = ack(&table, at: now)
        #expect(factor == 0.5)
        s.rescheduleSend(now: now, by: factor ?? 1)
        #expect(s.nextSendAt == now + .microseconds(350))
    }

    @Test func aHeldSessionKeepsItsHold() {
        var table = CongestionTable()
        let c = StubController(rate: 1_500_000, window: 24_000)
        c.isWindowFull = true
        let s = sendOne(&table, c)
        #expect(s.nextSendAt == t0 + CongestionTable.windowHold, "held")
        c.rateAfterAck = 15_000_000
        #expect(ack(&table, at: t0 + .microseconds(100)) == nil, "a held session waits for an ACK that opens its window")
    }

    @Test func aRateThatIsNotAPositiveNumberChangesNothing() {
        for after in [0, Double.infinity, Double.nan] {
            var table = CongestionTable()
            let c = StubController(rate: 1_500_000, window: 24_000)
            _ = sendOne(&table, c)
            c.rateAfterAck = after
            #expect(ack(&table, at: t0 + .microseconds(100)) == nil, "rate \(after)")
        }
        var s = ServerSession(clientID: id, seed: 1, total: 10, tag: 1, window: 10, address: peer, now: t0)
        s.nextSendAt = t0 + .milliseconds(1)
        for factor in [0, 1, 2, -1, Double.infinity, Double.nan] {
            s.rescheduleSend(now: t0, by: factor)
            #expect(s.nextSendAt == t0 + .milliseconds(1), "factor \(factor)")
        }
    }
}
