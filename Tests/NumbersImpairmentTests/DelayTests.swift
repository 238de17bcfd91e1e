import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct DelayTests {
    static let spacing = Nanoseconds.microseconds(100)
    static func offeredAt(_ id: UInt64) -> Instant { .zero + spacing * (id - 1) }

    @Test func fixedDelayKeepsOrderAndTime() {
        let h = Harness(ImpairmentConfig(delay: .milliseconds(20)))
        h.run(count: 1_000, spacing: Self.spacing)
        #expect(h.out.map(\.id) == Array(1...1_000))
        #expect(h.out.allSatisfy { $0.at == Self.offeredAt($0.id) + .milliseconds(20) })
        #expect(h.impairment.counters.delayed == 1_000 && h.impairment.counters.delivered == 1_000)
    }

    @Test func jitterStaysWithinBoundsAndCentres() {
        let d = Nanoseconds.milliseconds(20), j = Nanoseconds.milliseconds(5), n: UInt64 = 100_000
        let h = Harness(ImpairmentConfig(delay: d, jitter: j, seed: 3), keepBytes: false)
        h.run(count: n, spacing: Self.spacing)
        #expect(h.out.count == Int(n))
        let delays = h.out.map { ($0.at - Self.offeredAt($0.id)).value }
        #expect(delays.allSatisfy { $0 >= d.value - j.value && $0 <= d.value + j.value })
        let mean = Double(delays.reduce(0, +)) / Double(n)
        let sigma = Double(j.value) / (3 * Double(n)).squareRoot()
        #expect(abs(mean - Double(d.value)) <= 5 * sigma)
        // The whole range is used, and jitter wider than the spacing reorders.
        #expect(delays.min()! < d.value - j.value + 100_000 && delays.max()! > d.value + j.value - 100_000)
        #expect(h.out.map(\.id) != h.out.map(\.id).sorted())
    }

    @Test func jitterLargerThanDelayIsClamped() {
        let d = Nanoseconds.milliseconds(1), j = Nanoseconds.milliseconds(5), n: UInt64 = 100_000
        let h = Harness(ImpairmentConfig(delay: d, jitter: j, seed: 4), keepBytes: false)
        h.run(count: n, spacing: Self.spacing)
        let delays = h.out.map { ($0.at - Self.offeredAt($0.id)).value }
        #expect(delays.allSatisfy { $0 <= d.value + j.value })
        // uniform(−5ms, +5ms) + 1ms ≤ 0 with probability ≈ 4/10: those go at once, uncounted as delayed.
        let immediate = UInt64(delays.filter { $0 == 0 }.count)
        #expect(withinBinomial(immediate, trials: n, p: 0.4))
        #expect(h.impairment.counters.delayed == n - immediate)
    }

    @Test func nextDeadlineIsTheEarliestDue() {
        var impairment = Impairment(ImpairmentConfig(delay: .milliseconds(10), jitter: .milliseconds(8), seed: 99))
        let to = PeerAddress(ipv4: (1, 2, 3, 4), port: 5)
        var pending: [Instant] = []   // our own model of what is held
        var emptyReleases = 0
        for i in UInt64(0)..<5_000 {
            let now = Instant.us(i * 300)
            while let deadline = impairment.nextDeadline, deadline <= now {
                #expect(deadline == pending.min())
                var emitted = 0
                impairment.releaseDue(now: deadline) { _, _ in emitted += 1 }
                if emitted == 0 { emptyReleases += 1 }
                pending.removeAll { $0 <= deadline }
                #expect(emitted > 0)
            }
            #expect(impairment.nextDeadline == pending.min())
            let before = impairment.heldCount
            [UInt8](repeating: 1, count: 8).withUnsafeBytes { raw in
                impairment.offer(raw, to: to, now: now) { _, _ in Issue.record("no copy is due at once") }
            }
            #expect(impairment.heldCount == before + 1)
            // The new copy's due time is the one deadline we cannot see directly: recover it.
            var probe = impairment
            var dues: [Instant] = []
            while let deadline = probe.nextDeadline { dues.append(deadline); probe.releaseDue(now: deadline) { _, _ in } }
            let added = dues.first { due in dues.filter { $0 == due }.count > pending.filter { $0 == due }.count }
            #expect(added != nil)
            if let added {
                pending.append(added)
                #expect(added >= now + .milliseconds(2) && added <= now + .milliseconds(18))
            }
        }
        #expect(emptyReleases == 0)
    }

    @Test func offerEmitsDueCopiesFirst() {
        let h = Harness(ImpairmentConfig(delay: .milliseconds(1)))
        h.offer(id: 1, at: .zero)
        #expect(h.out.isEmpty && h.impairment.nextDeadline == .ms(1))
        h.release(at: Instant(nanoseconds: 999_999))
        #expect(h.out.isEmpty)
        // The shell forgot to release before offering: the held copy still goes first.
        h.offer(id: 2, at: .ms(5))
        #expect(h.out.map(\.id) == [1] && h.impairment.nextDeadline == .ms(6))
    }

    @Test func equalDueTimesLeaveFifo() {
        let h = Harness(ImpairmentConfig(delay: .milliseconds(5)))
        for id in UInt64(1)...50 { h.offer(id: id, at: .ms(1)) }
        #expect(h.impairment.nextDeadline == .ms(6))
        h.release(at: .ms(6))
        #expect(h.out.map(\.id) == Array(1...50))
        #expect(h.impairment.nextDeadline == nil)
    }
}
