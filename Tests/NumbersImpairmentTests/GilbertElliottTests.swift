import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct GilbertElliottTests {
    @Test func helpers() {
        let ge = GilbertElliott(p: 0.01, r: 0.25, lossInBad: 0.8, lossInGood: 0.01)
        #expect(abs(ge.stationaryBadProbability - 0.01 / 0.26) < 1e-12)
        #expect(abs(ge.stationaryLossRate - (0.01 / 0.26 * 0.8 + 0.25 / 0.26 * 0.01)) < 1e-12)
        #expect(ge.meanBadLength == 4 && ge.meanGoodLength == 100)
        #expect(ge.description == "gemodel p 0.01 r 0.25 1-h 0.8 1-k 0.01")
        let config = ImpairmentConfig(dropRate: 0.1, burst: ge)
        #expect(abs(config.expectedLossRate - (1 - 0.9 * (1 - ge.stationaryLossRate))) < 1e-12)
    }

    /// Loss pattern (true = lost) over `n` datagrams offered back to back.
    static func pattern(_ ge: GilbertElliott, n: UInt64, seed: UInt64) -> (lost: [Bool], counters: ImpairmentCounters) {
        let h = Harness(ImpairmentConfig(burst: ge, seed: seed), keepBytes: false)
        h.run(count: n, spacing: .microseconds(1))
        var lost = [Bool](repeating: true, count: Int(n))
        for e in h.out { lost[Int(e.id - 1)] = false }
        return (lost, h.impairment.counters)
    }

    /// Asymptotic standard deviation of the loss fraction of a two-state chain over n steps:
    /// within-state Bernoulli noise plus the state process, whose autocorrelation is λ^k with
    /// λ = 1 − p − r.
    static func lossSigma(_ ge: GilbertElliott, n: UInt64) -> Double {
        let b = ge.stationaryBadProbability, g = 1 - b
        let lambda = 1 - ge.p - ge.r
        let bernoulli = b * ge.lossInBad * (1 - ge.lossInBad) + g * ge.lossInGood * (1 - ge.lossInGood)
        let state = b * g * (ge.lossInBad - ge.lossInGood) * (ge.lossInBad - ge.lossInGood) * (1 + lambda) / (1 - lambda)
        return ((bernoulli + state) / Double(n)).squareRoot()
    }

    @Test(arguments: [
        GilbertElliott(p: 0.01, r: 0.25),
        GilbertElliott(p: 0.05, r: 0.5),
        GilbertElliott(p: 0.02, r: 0.1, lossInBad: 0.7, lossInGood: 0.01),
    ])
    func stationaryLossRate(ge: GilbertElliott) {
        let n: UInt64 = 200_000
        let (lost, c) = Self.pattern(ge, n: n, seed: 21)
        let measured = Double(lost.filter { $0 }.count) / Double(n)
        #expect(c.burstDropped == UInt64(lost.filter { $0 }.count) && c.dropped == 0)
        #expect(abs(measured - ge.stationaryLossRate) <= 5 * Self.lossSigma(ge, n: n),
                "measured \(measured), expected \(ge.stationaryLossRate)")
    }

    @Test(arguments: [0.25, 0.5, 0.1])
    func meanBurstLength(r: Double) {
        // With 1-h = 1 and 1-k = 0 loss runs are exactly the stays in Bad: geometric, mean 1/r.
        let ge = GilbertElliott(p: 0.01, r: r)
        let (lost, _) = Self.pattern(ge, n: 200_000, seed: 22)
        var runs: [Int] = []
        var current = 0
        for l in lost {
            if l { current += 1 } else if current > 0 { runs.append(current); current = 0 }
        }
        let mean = Double(runs.reduce(0, +)) / Double(runs.count)
        let sigma = ((1 - r) / (r * r) / Double(runs.count)).squareRoot()
        #expect(runs.count > 1_000)
        #expect(abs(mean - 1 / r) <= 5 * sigma, "mean burst \(mean), expected \(1 / r)")
    }

    @Test func burstsAreBurstier() {
        // Same long-run loss as an independent 3.8% drop, but losses cluster: the chance that the
        // next datagram is lost given this one was is 1 − r = 75%, not 3.8%.
        let (lost, _) = Self.pattern(GilbertElliott(p: 0.01, r: 0.25), n: 200_000, seed: 23)
        var afterLoss = 0, lossAfterLoss = 0
        for i in 1..<lost.count where lost[i - 1] {
            afterLoss += 1
            if lost[i] { lossAfterLoss += 1 }
        }
        let conditional = Double(lossAfterLoss) / Double(afterLoss)
        #expect(abs(conditional - 0.75) < 0.05)
    }
}
