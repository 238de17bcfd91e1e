import Foundation
import Testing
import NumbersProtocol
import NumbersSimulation

/// Whole client–server runs over the simulated network, one scenario per seed. A failing seed is
/// printed with its scenario; replay it with `NUMBERS_SIM_SEED=<seed> swift test --filter Deterministic`.
@Suite struct DeterministicSimulationTests {
    static var seeds: [UInt64] {
        let env = ProcessInfo.processInfo.environment
        if let one = env["NUMBERS_SIM_SEED"].flatMap(UInt64.init) { return [one] }
        let count = env["NUMBERS_SIM_SEEDS"].flatMap(UInt64.init) ?? 1_000
        let first = env["NUMBERS_SIM_FIRST_SEED"].flatMap(UInt64.init) ?? 1
        return Array(first..<(first + count))
    }

    @Test func thousandsOfSeedsKeepEveryInvariant() async {
        let failures = await Self.runOnOwnThreads(Self.seeds)
        for failure in failures.prefix(10) { Issue.record(Comment(rawValue: failure)) }
        #expect(failures.isEmpty, "\(failures.count) of \(Self.seeds.count) seeds failed")
    }

    /// A description of each failing seed, with how to replay it.
    static func runOnOwnThreads(_ seeds: [UInt64]) async -> [String] {
        await OwnThreads.map(seeds) { seed -> String? in
            var simulation = Simulation(Scenario.random(seed: seed))
            let outcome = simulation.run()
            guard !outcome.violations.isEmpty else { return nil }
            return "seed \(seed) failed (replay: NUMBERS_SIM_SEED=\(seed) swift test --filter DeterministicSimulationTests)\n\(simulation.scenario)\n  " + outcome.violations.joined(separator: "\n  ")
        }.compactMap { $0 }
    }

    @Test func sameSeedSameRun() {
        var a = Simulation(Scenario.random(seed: 42)), b = Simulation(Scenario.random(seed: 42))
        let x = a.run(), y = b.run()
        #expect(x.serverCounters == y.serverCounters)
        #expect(x.clientCounters == y.clientCounters)
        #expect(x.endedAt == y.endedAt)
    }

    @Test(arguments: [0.0, 0.1, 0.3, 0.5])
    func lossBothWaysCompletesNearTheIdealOverhead(p: Double) {
        var sim = Simulation(Scenario.loss(p, count: 20_000, batch: 10, window: 4_096, seed: 7))
        let outcome = sim.run()
        #expect(outcome.violations.isEmpty, "\(outcome.violations)")
        guard case .finished(let r) = outcome.statuses[0] else { Issue.record("did not finish: \(outcome.statuses[0])"); return }
        #expect(r.passed)
        let minimum = 2_000.0
        let ratio = Double(outcome.serverCounters.dataSent) / minimum
        let ideal = 1 / (1 - p)
        // Selective repeat sends each datagram until it arrives: 1/(1−p) on average. Allow 10%.
        #expect(ratio <= ideal * 1.10, "sent \(ratio)× the minimum at p=\(p); ideal \(ideal); client \(outcome.clientCounters[0]); retx \(outcome.serverCounters.retransmittedDatagrams)")
    }
}

/// Restart and failover over a shared checkpoint store (PROTOCOL.md §10): a server replaced
/// mid-run, clients moving between two servers, a store that forgets everything.
@Suite("Deterministic failover simulation")
struct FailoverSimulationTests {
    static var seeds: [UInt64] {
        if let one = ProcessInfo.processInfo.environment["NUMBERS_FAILOVER_SEED"].flatMap(UInt64.init) { return [one] }
        return Array(1...UInt64(ProcessInfo.processInfo.environment["NUMBERS_FAILOVER_SEEDS"].flatMap(Int.init) ?? 200))
    }

    @Test("every client PASSes on the one seed the store agreed on, and nothing is left behind")
    func seeded() {
        var failed = 0
        for seed in Self.seeds {
            let scenario = FailoverScenario.random(seed: seed)
            var simulation = FailoverSimulation(scenario)
            let outcome = simulation.run()
            if !outcome.violations.isEmpty {
                failed += 1
                if failed <= 3 {
                    Issue.record("\(scenario)\n\(outcome.violations.joined(separator: "\n"))\nreplay: NUMBERS_FAILOVER_SEED=\(seed) swift test --filter FailoverSimulationTests")
                }
            }
        }
        #expect(failed == 0, "\(failed) of \(Self.seeds.count) seeds failed")
    }
}
