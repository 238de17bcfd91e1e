import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct FailEveryTests {
    @Test func failsExactlyEveryNth() {
        let h = Harness(ImpairmentConfig(failEvery: 5))
        h.run(count: 23, spacing: .milliseconds(1))
        let sent = h.out.map(\.id)
        #expect(sent == (1...23).filter { $0 % 5 != 0 })
        #expect(h.impairment.counters.failed == 4)
        #expect(h.impairment.counters.offlinePeriods == 0)
        #expect(!h.impairment.isOffline(at: .ms(4)))
    }

    @Test func failEveryOneSendsNothing() {
        let h = Harness(ImpairmentConfig(failEvery: 1))
        h.run(count: 10, spacing: .milliseconds(1))
        #expect(h.out.isEmpty && h.impairment.counters.failed == 10)
    }

    @Test func goesOfflineThenResumesAndFailsAgain() {
        // One datagram per ms. #3 fails at 2ms → offline [2ms, 12ms): #4…#12 (3ms…11ms) are
        // discarded and not counted; #13, #14 go; #15 fails at 14ms → offline [14ms, 24ms).
        let h = Harness(ImpairmentConfig(failEvery: 3, goOfflineFor: .milliseconds(10)))
        var offlineAt: [UInt64: Bool] = [:]
        for id in UInt64(1)...30 {
            let now = Instant.ms(id - 1)
            h.offer(id: id, at: now)
            offlineAt[id] = h.impairment.isOffline(at: now)
        }
        #expect(h.out.map(\.id) == [1, 2, 13, 14, 25, 26])
        let c = h.impairment.counters
        #expect(c.failed == 3 && c.offlinePeriods == 3)
        #expect(c.offlineDropped == 9 + 9 + 3)
        #expect(offlineAt[2] == false && offlineAt[3] == true && offlineAt[12] == true && offlineAt[13] == false)

        // Window edges: [t, t + D).
        let edge = Harness(ImpairmentConfig(failEvery: 1, goOfflineFor: .milliseconds(10)))
        edge.offer(id: 1, at: .ms(5))
        #expect(!edge.impairment.isOffline(at: .ms(4)))
        #expect(edge.impairment.isOffline(at: .ms(5)))
        #expect(edge.impairment.isOffline(at: Instant(nanoseconds: 15_000_000 - 1)))
        #expect(!edge.impairment.isOffline(at: .ms(15)))
    }

    @Test func inboundIgnoredIsCounted() {
        var impairment = Impairment(ImpairmentConfig(failEvery: 1, goOfflineFor: .seconds(1 as UInt64)))
        #expect(!impairment.isOffline(at: .zero))
        [UInt8](repeating: 0, count: 4).withUnsafeBytes { raw in
            impairment.offer(raw, to: PeerAddress(ipv4: (127, 0, 0, 1), port: 1), now: .zero) { _, _ in
                Issue.record("a failed datagram must not be emitted")
            }
        }
        #expect(impairment.isOffline(at: .ms(999)))
        impairment.noteInboundIgnored()
        impairment.noteInboundIgnored()
        #expect(impairment.counters.inboundIgnored == 2)
        #expect(impairment.counters.summary.contains("inbound ignored 2"))
    }
}
