import Testing
import NumbersProtocol
@testable import NumbersSimulation

/// The yardstick of the loss benchmark: the closed form, the round model, and where they meet.
@Suite struct IdealSelectiveRepeatTests {
    @Test func oneDatagramNeedsOneOverOneMinusPAttempts() {
        for p in [0.0, 0.1, 0.5, 0.9] {
            #expect(abs(IdealSelectiveRepeat.expectedMaximumAttempts(datagrams: 1, p: p) - 1 / (1 - p)) < 1e-9)
        }
    }

    @Test func twoDatagramsMatchTheHandComputedMaximum() {
        // E[max of two geometric(1/2)] = Σ_k 1 − (1 − 2^−k)² = 1 + 3/4 + 7/16 + … = 8/3.
        #expect(abs(IdealSelectiveRepeat.expectedMaximumAttempts(datagrams: 2, p: 0.5) - 8.0 / 3) < 1e-9)
    }

    @Test func withoutLossEveryWindowTakesOneRound() {
        let ideal = IdealSelectiveRepeat(count: 1_000_000, batch: 294, window: 65_536)
        #expect(ideal.datagrams == 3_402)
        #expect(ideal.windowDatagrams == 223)
        #expect(ideal.meanRounds(p: 0) == 16)
        // Handshake 1.5 round trips, 16 rounds, the last arriving half a round trip later.
        #expect(abs(ideal.seconds(p: 0, roundTrip: 0.01) - 0.17) < 1e-12)
        #expect(IdealSelectiveRepeat(count: 65_535, batch: 1, window: 65_536).meanRounds(p: 0) == 1)
    }

    @Test func theRoundModelAgreesWithTheClosedFormWhenTheWindowHoldsEverything() {
        let m = 500
        var rng = SplitMix64(seed: 7)
        var delivered = [Bool](repeating: false, count: m)
        let trials = 4_000
        var total = 0
        for _ in 0..<trials {
            for i in delivered.indices { delivered[i] = false }
            total += IdealSelectiveRepeat.rounds(delivered: &delivered, window: m, p: 0.3, rng: &rng)
        }
        let simulated = Double(total) / Double(trials)
        let exact = IdealSelectiveRepeat.expectedMaximumAttempts(datagrams: m, p: 0.3)
        #expect(abs(simulated - exact) < 0.05, "round model \(simulated), closed form \(exact)")
    }

    @Test func aNarrowWindowCostsRoundsTheClosedFormDoesNotSee() {
        let wide = IdealSelectiveRepeat(count: 3_402, batch: 1, window: 3_402, trials: 200)
        let narrow = IdealSelectiveRepeat(count: 3_402, batch: 1, window: 294, trials: 200)
        #expect(narrow.meanRounds(p: 0.1) > wide.meanRounds(p: 0.1) + 5)
        // Fixed seed: the same figure on every run.
        #expect(narrow.meanRounds(p: 0.1) == narrow.meanRounds(p: 0.1))
    }
}
