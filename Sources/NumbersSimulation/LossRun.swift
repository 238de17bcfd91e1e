import NumbersImpairment
import NumbersProtocol

/// One seeded transfer under random loss p on every datagram both ways, the server at full speed,
/// over a path of a given round trip: what the loss benchmark measures, one seed at a time.
package struct LossRun: Sendable, Hashable {
    package var p: Double
    package var count: UInt32
    package var batch: Int
    package var window: UInt32
    /// Split evenly: half of it is added to each direction.
    package var roundTrip: Nanoseconds
    package var seed: UInt64
    /// The server's controller; the published figures use the library's default.
    package var control: CongestionControl

    package init(p: Double, count: UInt32, batch: Int, window: UInt32 = ServerConfig.defaultWindow, roundTrip: Nanoseconds, seed: UInt64,
                control: CongestionControl = ServerConfig().congestionControl) {
        self.p = p; self.count = count; self.batch = batch; self.window = window; self.roundTrip = roundTrip; self.seed = seed
        self.control = control
    }

    package struct Outcome: Sendable, Hashable {
        /// Virtual time from the client's start to its verified finish (nil: it did not finish).
        package var seconds: Double?
        package var dataSent: UInt64
        /// Every ACK the client sent, probes and DONEs included.
        package var acksSent: UInt64
        package var probesSent: UInt64
        /// The client verified PASS and the simulation saw no invariant violation.
        package var passed: Bool
        package var failure: String?
    }

    package var scenario: Scenario {
        var scenario = Scenario.loss(p, count: count, batch: batch, window: window, seed: seed, delay: Nanoseconds(roundTrip.value / 2))
        scenario.server.congestionControl = control
        return scenario
    }

    package func run() -> Outcome {
        var simulation = Simulation(scenario)
        let outcome = simulation.run()
        let client = outcome.clientCounters[0]
        var failure: String?
        if case .finished(let result) = outcome.statuses[0], result.passed, outcome.violations.isEmpty {} else {
            failure = "p=\(p) n=\(count) batch \(batch) rtt \(roundTrip) seed \(seed): \(outcome.statuses[0]) \(outcome.violations.prefix(3))"
        }
        return Outcome(seconds: outcome.finishedAt[0].map { Double($0.nanoseconds) / 1e9 }, dataSent: outcome.serverCounters.dataSent,
                       acksSent: client.acksSent, probesSent: client.probesSent, passed: failure == nil, failure: failure)
    }
}
