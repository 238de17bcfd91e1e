import Testing
import NumbersImpairment
import NumbersProtocol
import NumbersSimulation

/// Transfers through a simulated bottleneck link (rate, drop-tail queue, propagation delay), by
/// seed, alone and with several clients competing: the default controller fills the link without
/// flooding its queue and shares it fairly; `-cc none` is shown to flood it.
@Suite struct BottleneckSimulationTests {
    static func run(_ link: BottleneckLink, clients: Int = 1, count: UInt32, control: CongestionControl, seed: UInt64,
                    stagger: Nanoseconds = .zero, randomLoss: Double = 0) -> BottleneckRun.Outcome {
        BottleneckRun(link, clients: clients, count: count, control: control, seed: seed, stagger: stagger, randomLoss: randomLoss).run()
    }

    static let link50 = BottleneckLink(bitsPerSecond: 50_000_000, queueLimit: 60_000, propagation: .milliseconds(5))

    /// One client alone: the link is filled and its queue barely overflows, where `-cc none`
    /// sends far more than it needs.
    @Test(arguments: [UInt64(1), 2])
    func oneClientFillsTheLinkWithoutFloodingIt(seed: UInt64) {
        let model = Self.run(Self.link50, count: 2_000_000, control: .model, seed: seed)
        #expect(model.passed && model.violations.isEmpty, "\(model.violations)")
        #expect(model.linkShare >= 0.85, "share \(model.linkShare)")
        #expect(model.sentOverMinimum <= 1.05, "sent/min \(model.sentOverMinimum)")
        // A shorter transfer is enough to show the flood, and simulating one is costly.
        let none = Self.run(Self.link50, count: 300_000, control: .none, seed: seed)
        #expect(none.passed)
        #expect(none.sentOverMinimum > 1.3, "none sent/min \(none.sentOverMinimum)")
    }

    /// Four clients starting 100 ms apart share the link: full and fair.
    @Test func fourClientsShareTheLinkFairly() {
        let f = Self.run(Self.link50, clients: 4, count: 1_500_000, control: .model, seed: 1, stagger: .milliseconds(100))
        #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
        #expect(f.linkShare >= 0.85, "share \(f.linkShare)")
        #expect(f.jain >= 0.85, "Jain's index \(f.jain), goodputs \(f.goodput)")
        #expect(f.sentOverMinimum <= 1.1, "sent/min \(f.sentOverMinimum)")
    }

    /// Random loss with no bottleneck is not mistaken for a full queue: at p = 0.3 both ways, on a
    /// 10 ms path where a window of 65,536 numbers holds `none` back as well, the controller takes
    /// no more than 1.2 times as long over seeds 1 to 4 (and no seed 1.4 times). A controller that
    /// read random loss as congestion cut itself to a few kbit/s and took many times as long.
    /// Issue 12 asks for 1.1 on the real kernel; seeds 1 to 8 measure 0.80 to 1.14 here, 0.98 in
    /// all (1.00 to 1.41, 1.15 in all, before rounds held back by the client's window stopped
    /// lowering the estimate: the 65,536-number window stalls a sender on a 10 ms path at 30% loss).
    @Test func randomLossIsNotCongestion() {
        var totals = (none: 0.0, model: 0.0)
        for seed in UInt64(1)...4 {
            var times: [Double] = []
            for control in CongestionControl.allCases {
                var scenario = Scenario.loss(0.3, count: 1_000_000, batch: Limits.maxNumbersPerDatagram, window: 65_536, seed: seed)
                scenario.server.congestionControl = control
                var sim = Simulation(scenario)
                let out = sim.run()
                #expect(out.violations.isEmpty, "\(out.violations)")
                times.append((out.finishedAt[0] ?? out.endedAt).nanoseconds.seconds)
            }
            #expect(times[1] <= times[0] * 1.4, "seed \(seed): none \(times[0]) s, model \(times[1]) s")
            totals.none += times[0]
            totals.model += times[1]
        }
        #expect(totals.model <= totals.none * 1.2, "seeds 1–4: none \(totals.none) s, model \(totals.model) s")
    }

    /// Ten clients starting together overshoot together; they must not halve each other to nothing.
    /// At the 50 µs of a veth pair as well as at 5 ms, on one host and on ten. On ten hosts at 50 µs
    /// a late joiner from another host still sends more than it needs (the known issue below):
    /// 1.14 to 1.61 times the minimum over seeds 1 to 8 (`numbers-bench cc -parts tenhosts
    /// -perSeed`), where five of eight sent 2.5 to 6.4 before start-up ended on overflow.
    @Test(arguments: [Nanoseconds.milliseconds(5), .microseconds(50)], [true, false])
    func tenClientsStartingTogetherKeepTheLinkBusy(propagation: Nanoseconds, sharedHost: Bool) {
        var link = Self.link50
        link.propagation = propagation
        let sentBound = !sharedHost && propagation == .microseconds(50) ? 1.7 : 1.1
        let f = BottleneckRun(link, clients: 10, count: 600_000, control: .model, seed: 1, sharedHost: sharedHost).run()
        #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
        #expect(f.linkShare >= 0.75, "share \(f.linkShare), goodputs \(f.goodput)")
        #expect(f.jain >= 0.6, "Jain's index \(f.jain), goodputs \(f.goodput)")
        #expect(f.sentOverMinimum <= sentBound, "sent/min \(f.sentOverMinimum)")
    }

    /// Ten clients of one host at 50 µs, the real bench's setting: a session above the host's mean
    /// gives way at each overflow (`HostBandwidth`), so the early ones do not keep most of the link
    /// while the late ones trickle. Jain's index at seeds 2 and 3 (the least fair of 1 to 8
    /// before): 0.979 and 0.996; before, 0.853 and 0.839.
    @Test func tenClientsOfOneHostShareTheLinkFairly() {
        var link = Self.link50
        link.propagation = .microseconds(50)
        for seed in [2, 3] as [UInt64] {
            let f = Self.run(link, clients: 10, count: 600_000, control: .model, seed: seed)
            #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
            #expect(f.jain >= 0.95, "seed \(seed): Jain's index \(f.jain), goodputs \(f.goodput)")
            #expect(f.linkShare >= 0.9, "seed \(seed): share \(f.linkShare)")
        }
    }

    /// A client whose first round trips already hold a full queue would take that queue for the
    /// path's minimum, so that its loss never read as congestion, and flood (PROTOCOL.md §8.8).
    /// Ten clients starting within a millisecond at 50 µs on one host: the late ones start from
    /// what the first learnt. They send 1.10 to 1.11 times the minimum (transfers this short are
    /// mostly start-up; at 600,000 numbers each, 1.04); before, 2.2 to 2.7.
    @Test func lateJoinersFromOneHostDoNotFlood() {
        var link = Self.link50
        link.propagation = .microseconds(50)
        for seed in [2, 4, 6] as [UInt64] {
            let f = Self.run(link, clients: 10, count: 150_000, control: .model, seed: seed)
            #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
            #expect(f.sentOverMinimum <= 1.2, "seed \(seed): sent/min \(f.sentOverMinimum)")
            #expect(f.linkShare >= 0.7, "seed \(seed): share \(f.linkShare)")
        }
    }

    /// The same ten clients, each on a host of its own, share nothing, and a late joiner can still
    /// take a full queue for its path (PROTOCOL.md §13). Recorded as a known issue, so that this
    /// test fails once the controller handles them.
    @Test func lateJoinersFromDifferentHostsStillFlood() {
        var link = Self.link50
        link.propagation = .microseconds(50)
        for seed in [2, 4, 6] as [UInt64] {
            let f = BottleneckRun(link, clients: 10, count: 150_000, control: .model, seed: seed, sharedHost: false).run()
            #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
            withKnownIssue("a session from a new host that starts behind a standing queue cannot see it") {
                #expect(f.sentOverMinimum <= 1.1, "seed \(seed): sent/min \(f.sentOverMinimum)")
            }
        }
    }

    /// A short queue behind a fast link (200 Mbit/s, 10 KB: 0.4 ms of queue on a 10 ms path) and
    /// a slow link with a deep one: filled without collapse (goodput ≥ 0.85 of the link at 50 µs,
    /// where the bench's veth pair is, and ≥ 0.8 at 5 ms) and without flooding (sent ≤ 1.15× the
    /// minimum: 200 Mbit/s with 1 MB at 5 ms sends 1.139×).
    @Test(arguments: [(200_000_000, 10_000), (10_000_000, 1_000_000), (10_000_000, 10_000), (200_000_000, 1_000_000)])
    func otherLinksAndQueues(bitsPerSecond: Int, queue: Int) {
        for propagation in [Nanoseconds.microseconds(50), .milliseconds(5)] {
            let link = BottleneckLink(bitsPerSecond: UInt64(bitsPerSecond), queueLimit: queue, propagation: propagation)
            let count = UInt32(bitsPerSecond / 25)
            let f = Self.run(link, count: count, control: .model, seed: 1)
            #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
            #expect(f.linkShare >= (propagation == .microseconds(50) ? 0.85 : 0.8), "\(link): share \(f.linkShare)")
            #expect(f.sentOverMinimum <= 1.15, "\(link): sent/min \(f.sentOverMinimum)")
        }
    }

    /// A start-up that overflows a shallow queue leaves losses that the client reports in the
    /// rounds after it: counted as carried, as random loss is, they doubled the estimate of a
    /// session on a 10 Mbit/s link with a 10 KB queue, and taught it a background loss that hid
    /// its next overflows (1.09 times the minimum). Crediting only what arrived, and learning no
    /// background from them: 1.012.
    @Test func anOverflowsLateLossesAreNeitherBandwidthNorBackground() {
        let link = BottleneckLink(bitsPerSecond: 10_000_000, queueLimit: 10_000, propagation: .microseconds(50))
        let f = Self.run(link, count: 400_000, control: .model, seed: 1)
        #expect(f.passed && f.violations.isEmpty, "\(f.violations)")
        #expect(f.sentOverMinimum <= 1.03, "sent/min \(f.sentOverMinimum)")
        #expect(f.linkShare >= 0.93, "share \(f.linkShare)")
    }

    /// The random scenarios with the controller on keep every invariant the simulator checks.
    @Test func randomScenariosWithTheControllerKeepTheInvariants() {
        for seed in 1...40 as ClosedRange<UInt64> {
            var scenario = Scenario.random(seed: seed)
            scenario.server.congestionControl = .model
            var sim = Simulation(scenario)
            let out = sim.run()
            #expect(out.violations.isEmpty, "seed \(seed): \(out.violations)")
        }
    }
}

private extension UInt64 {
    var seconds: Double { Double(self) / 1e9 }
}
