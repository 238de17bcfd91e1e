import NumbersImpairment
import NumbersProtocol

/// One seeded transfer under random loss p on every datagram both ways, the server at full speed,
/// over a path of a given round trip: what the loss benchmark measures, one seed at a time.
public struct LossRun: Sendable, Hashable {
    public var p: Double
    public var count: UInt32
    public var batch: Int
    public var window: UInt32
    /// Split evenly: half of it is added to each direction.
    public var roundTrip: Nanoseconds
    public var seed: UInt64

    public init(p: Double, count: UInt32, batch: Int, window: UInt32 = 65_536, roundTrip: Nanoseconds, seed: UInt64) {
        self.p = p; self.count = count; self.batch = batch; self.window = window; self.roundTrip = roundTrip; self.seed = seed
    }

    public struct Outcome: Sendable, Hashable {
        /// Virtual time from the client's start to its verified finish (nil: it did not finish).
        public var seconds: Double?
        public var dataSent: UInt64
        /// Every ACK the client sent, probes and DONEs included.
        public var acksSent: UInt64
        public var probesSent: UInt64
        /// The client verified PASS and the simulation saw no invariant violation.
        public var passed: Bool
        public var failure: String?
    }

    public var scenario: Scenario {
        Scenario.loss(p, count: count, batch: batch, window: window, seed: seed, delay: Nanoseconds(roundTrip.value / 2))
    }

    public func run() -> Outcome {
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
