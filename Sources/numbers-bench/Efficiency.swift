import NumbersImpairment
import NumbersProtocol
import NumbersSimulation
import NumbersTransport

/// Efficiency under random loss, measured in the deterministic simulation: the engines exactly as
/// shipped, over the impairment model, with a virtual clock (so the figures are repeatable to the
/// datagram and independent of the machine).
struct EfficiencyOptions {
    var count: UInt32 = 65_535
    /// Numbers per DATA datagram. 1 makes the minimum n datagrams, so the ratio is measured on
    /// 65,535 independent losses rather than on a couple of hundred.
    var batch = 1
    var window: UInt32 = ServerConfig().window
    var seeds: [UInt64] = [1, 2, 3]
    /// One-way delay added to both directions (0: the bare `Scenario.loss`, where every exchange
    /// is instantaneous and only the protocol's own timers take time).
    var delay = Nanoseconds.zero
}

struct EfficiencyPoint {
    var p: Double
    var batch: Int
    var seeds: Int
    /// DATA datagrams the server sent, mean over seeds.
    var dataSent: Double
    /// ceil(n / batch): what a lossless link needs.
    var minimum: Int
    var sentOverMin: Double
    /// 1 / (1 − p): what ideal selective repeat sends per datagram delivered.
    var ideal: Double
    /// Virtual time from the client's start to its verified finish, mean over seeds.
    var virtualSeconds: Double
    /// Real time the simulations took, divided by the seeds (they run in parallel).
    var wallSeconds: Double
    /// ACKs (and probes) the client sent, mean over seeds.
    var acksSent: Double
    /// Every seed ended with the client's PASS and no invariant violation.
    var allPassed: Bool
    var failures: [String]

    var excess: Double { sentOverMin / ideal - 1 }

    var json: JSON {
        .object([
            ("p", .number(p, places: 3)),
            ("sent_over_min", .number(sentOverMin, places: 4)),
            ("ideal", .number(ideal, places: 4)),
            ("seconds", .number(virtualSeconds, places: 4)),
            ("over_ideal", .number(excess, places: 4)),
            ("virtual_s", .number(virtualSeconds, places: 4)),
            ("wall_s", .number(wallSeconds, places: 3)),
            ("data_sent", .number(dataSent, places: 1)),
            ("min_datagrams", .int(minimum)),
            ("acks_sent", .number(acksSent, places: 1)),
            ("batch", .int(batch)),
            ("seeds", .int(seeds)),
            ("passed", .bool(allPassed)),
        ])
    }
}

enum Efficiency {
    static let defaultLosses: [Double] = [0, 0.1, 0.3, 0.5]

    static func measure(p: Double, options: EfficiencyOptions) -> EfficiencyPoint {
        let runs = options.seeds.map {
            LossRun(p: p, count: options.count, batch: options.batch, window: options.window,
                    roundTrip: Nanoseconds(options.delay.value * 2), seed: $0)
        }
        let start = MonotonicClock.now()
        let outcomes = ParallelRuns.map(count: runs.count, threads: ParallelRuns.processorCount) { runs[$0].run() }
        let wall = seconds(since: start) / Double(max(runs.count, 1))
        let minimum = (Int(options.count) + options.batch - 1) / options.batch
        let meanSent = mean(outcomes.map { Double($0.dataSent) })
        return EfficiencyPoint(p: p, batch: options.batch, seeds: options.seeds.count, dataSent: meanSent, minimum: minimum,
                               sentOverMin: meanSent / Double(minimum), ideal: 1 / (1 - p),
                               virtualSeconds: mean(outcomes.map { $0.seconds ?? .nan }), wallSeconds: wall,
                               acksSent: mean(outcomes.map { Double($0.acksSent) }),
                               allPassed: outcomes.allSatisfy(\.passed), failures: outcomes.compactMap(\.failure))
    }

    static func run(losses: [Double], options: EfficiencyOptions) -> [EfficiencyPoint] {
        losses.map { p in
            let point = measure(p: p, options: options)
            progress("efficiency p=\(fixed(p, 2)): sent/min \(fixed(point.sentOverMin, 4)) (ideal \(fixed(point.ideal, 4)), "
                     + "\(fixed(point.excess * 100, 2))% over), virtual \(fixed(point.virtualSeconds, 3)) s, "
                     + "wall \(fixed(point.wallSeconds, 2)) s\(point.allPassed ? "" : ", FAILED: \(point.failures.first ?? "")")")
            return point
        }
    }

    static func table(_ points: [EfficiencyPoint]) -> String {
        var lines = ["     p   sent/min      ideal   over ideal   virtual s   wall s   verified"]
        for point in points {
            lines.append(column(fixed(point.p, 2), 6) + column(fixed(point.sentOverMin, 4), 11) + column(fixed(point.ideal, 4), 11)
                         + column(fixed(point.excess * 100, 2) + "%", 13) + column(fixed(point.virtualSeconds, 3), 12)
                         + column(fixed(point.wallSeconds, 2), 9) + column(point.allPassed ? "PASS" : "FAIL", 11))
        }
        return lines.joined(separator: "\n")
    }
}
