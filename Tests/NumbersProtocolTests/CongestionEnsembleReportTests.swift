import Testing
@testable import NumbersProtocol

/// A session's controller reports to its host's ensemble when what it learnt changes, and again
/// after `CongestionTable.reportRefresh`, not on every ACK.
@Suite struct CongestionEnsembleReportTests {
    let t0 = Instant(nanoseconds: 1_000_000_000)
    let hostA1 = PeerAddress(ipv4: (10, 0, 0, 2), port: 4000)
    let hostA2 = PeerAddress(ipv4: (10, 0, 0, 2), port: 4001)
    let idA = ClientID(high: 1, low: 1), idB = ClientID(high: 2, low: 2), idC = ClientID(high: 3, low: 3)

    private func ack(_ table: inout CongestionTable, _ id: ClientID, from peer: PeerAddress, at now: Instant) {
        let ack = AckMessage(flags: [], tag: 1, clientID: id, token: 0, ackSeq: 2, cumulative: 0, highest: 0, ranges: .empty)
        _ = table.acknowledged(id, ack, from: peer, newRequest: false, now: now)
    }

    @Test func anAckThatChangesNothingReportsNothing() {
        var table = CongestionTable()
        let a = StubController(phase: .cruise)
        table.install(a, for: idA, at: hostA1, now: t0)
        for i in 0..<100 as Range<UInt64> { ack(&table, idA, from: hostA1, at: t0 + .microseconds(i)) }
        #expect(table.ensembleReports == 0, "nothing learnt yet")
        a.sharedPath = SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0.1)
        for i in 0..<100 as Range<UInt64> { ack(&table, idA, from: hostA1, at: t0 + .microseconds(100 + i)) }
        #expect(table.ensembleReports == 1)
        a.sharedPath?.backgroundLoss = 0.2
        ack(&table, idA, from: hostA1, at: t0 + .microseconds(300))
        #expect(table.ensembleReports == 2, "a new background")
        ack(&table, idA, from: hostA1, at: t0 + .microseconds(300) + CongestionTable.reportRefresh)
        #expect(table.ensembleReports == 3, "the same path again after the refresh")
    }

    /// The refresh is what lets a host whose shared minimum expired take a member's unchanged one.
    @Test func anUnchangedMemberRenewsAHostWhoseMinimumExpired() {
        var table = CongestionTable()
        let first = StubController(phase: .cruise), second = StubController(phase: .cruise)
        table.install(first, for: idA, at: hostA1, now: t0)
        first.sharedPath = SharedPath(minRTT: .microseconds(100), measuredAt: t0, backgroundLoss: 0)
        ack(&table, idA, from: hostA1, at: t0)
        let five = t0 + .seconds(5 as UInt64)
        table.install(second, for: idB, at: hostA2, now: five)
        second.sharedPath = SharedPath(minRTT: .microseconds(900), measuredAt: five, backgroundLoss: 0)
        ack(&table, idB, from: hostA2, at: five)
        let expired = t0 + PathEnsembles.minRTTLifetime + .milliseconds(1)
        ack(&table, idB, from: hostA2, at: expired)
        let given = table.install(StubController(phase: .cruise), for: idC, at: hostA1, now: expired)
        #expect(given == SharedPath(minRTT: .microseconds(900), measuredAt: five, backgroundLoss: 0))
    }
}
