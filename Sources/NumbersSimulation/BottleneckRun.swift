import NumbersImpairment
import NumbersProtocol

/// One seeded run of `Scenario.bottleneck`, reduced to what the congestion-control goals are
/// stated in: goodput over the link rate, DATA sent over the minimum, and Jain's fairness index.
package struct BottleneckRun: Sendable {
    package var link: BottleneckLink
    package var clients: Int
    package var count: UInt32
    package var control: CongestionControl
    package var seed: UInt64
    package var stagger: Nanoseconds
    package var randomLoss: Double
    /// The clients run on one host (`Scenario.clientsShareHost`), as the real bench's do.
    package var sharedHost: Bool

    package init(_ link: BottleneckLink, clients: Int = 1, count: UInt32, control: CongestionControl, seed: UInt64,
                stagger: Nanoseconds = .zero, randomLoss: Double = 0, sharedHost: Bool = true) {
        self.link = link; self.clients = clients; self.count = count; self.control = control; self.seed = seed
        self.stagger = stagger; self.randomLoss = randomLoss; self.sharedHost = sharedHost
    }

    package struct Outcome: Sendable {
        /// Bits of numbers per second, per client, from its start to its verified finish.
        package var goodput: [Double]
        /// All clients' numbers, from the first start to the last finish, over the link rate.
        package var linkShare: Double
        package var sentOverMinimum: Double
        package var queueDropped: UInt64
        package var jain: Double
        package var passed: Bool
        package var violations: [String]
        /// Virtual seconds from the first start to the last finish.
        package var seconds: Double
    }

    package var scenario: Scenario {
        Scenario.bottleneck(link, clients: clients, count: count, control: control, seed: seed, stagger: stagger,
                            randomLoss: randomLoss, sharedHost: sharedHost)
    }

    package func run() -> Outcome {
        let scenario = self.scenario
        var sim = Simulation(scenario)
        let out = sim.run()
        var goodput: [Double] = []
        for (i, plan) in scenario.clients.enumerated() {
            let end = out.finishedAt[i] ?? out.endedAt
            goodput.append(Double(plan.count) * 32 / (end - plan.startAt).seconds)
        }
        let first = scenario.clients.map(\.startAt).min() ?? .zero
        let last = out.finishedAt.compactMap { $0 }.max() ?? out.endedAt
        let span = (last - first).seconds
        let total = Double(scenario.clients.reduce(0) { $0 + Int($1.count) }) * 32 / span
        let minimum = scenario.clients.reduce(0) { $0 + (Int($1.count) + Limits.maxNumbersPerDatagram - 1) / Limits.maxNumbersPerDatagram }
        let sum = goodput.reduce(0, +), squares = goodput.reduce(0) { $0 + $1 * $1 }
        let passed = out.statuses.allSatisfy { if case .finished(let r) = $0 { return r.passed } else { return false } }
        return Outcome(goodput: goodput, linkShare: total / Double(link.bitsPerSecond),
                       sentOverMinimum: Double(out.serverCounters.dataSent) / Double(minimum),
                       queueDropped: out.serverImpairment.queueDropped,
                       jain: sum * sum / (Double(goodput.count) * squares), passed: passed && out.violations.isEmpty,
                       violations: out.violations, seconds: span)
    }
}
