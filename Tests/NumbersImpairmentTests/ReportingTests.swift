import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct ReportingTests {
    @Test func descriptionNamesActiveStagesAndSeed() {
        #expect(ImpairmentConfig(seed: 42).description == "impairment: none, seed 42")
        let config = ImpairmentConfig(dropRate: 0.1, delay: .milliseconds(20), jitter: .milliseconds(5),
                                      failEvery: 100, goOfflineFor: .seconds(2 as UInt64), seed: 7)
        #expect(config.description == "impairment: drop 0.1, delay 20ms ±5ms, failEvery 100, goOfflineFor 2s, seed 7")
        let burst = ImpairmentConfig(burst: GilbertElliott(p: 0.01, r: 0.25), reorderRate: 0.05, seed: 1)
        #expect(burst.description == "impairment: burst gemodel p 0.01 r 0.25 1-h 1.0 1-k 0.0 (mean burst 4.0, loss 3.8%), reorder 0.05 (hold ≤10ms), seed 1")
    }

    @Test func summaryLines() {
        let h = Harness(ImpairmentConfig(dropRate: 0.1, seed: 3))
        h.run(count: 1_000, spacing: .microseconds(1))
        let c = h.impairment.counters
        let lines = c.summary(label: "simulator").split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.hasPrefix("simulator: ") })
        let tenths = (c.dropped * 1000 + 500) / 1000
        #expect(lines[0] == "simulator: offered 1000, delivered \(c.delivered), dropped \(c.dropped) (\(tenths / 10).\(tenths % 10)%), burst-dropped 0 (0.0%), overflow-dropped 0")
        #expect(lines[1] == "simulator: failed 0, offline-dropped 0 in 0 periods, inbound ignored 0")
        #expect(lines[2] == "simulator: duplicated 0 (0.0%), reordered 0 (0.0%), corrupted 0 (0.0%), delayed 0")
    }

    @Test func transparentPassesTheCallersBytes() {
        // No delay, jitter or reorder: emitted synchronously from the caller's own buffer.
        var impairment = Impairment(ImpairmentConfig(dropRate: 0.5, duplicateRate: 0.5, seed: 2))
        let bytes: [UInt8] = [1, 2, 3, 4]
        bytes.withUnsafeBytes { raw in
            for _ in 0..<100 {
                impairment.offer(raw, to: PeerAddress(ipv4: (1, 1, 1, 1), port: 1), now: .zero) { out, _ in
                    #expect(out.baseAddress == raw.baseAddress && out.count == 4)
                }
            }
        }
        #expect(impairment.heldCount == 0 && impairment.nextDeadline == nil)
    }
}
