import NumbersCLI
import NumbersImpairment
import NumbersProtocol
import NumbersSimulation
import NumbersTransport

/// `numbers-bench cc`: the congestion-control goals in the deterministic simulator, `-cc model`
/// beside `-cc none`. Random loss with no bottleneck (issue 12, item 4: the loss figures' setting,
/// 10 ms round trip, window as published), then simulated bottlenecks (items 1–3: one client, ten
/// at once, other rates and queues), each at the propagation delays asked for. Virtual time: the
/// figures repeat exactly, whatever the machine's load.
struct CongestionSimulationOptions {
    var losses: [Double] = [0.1, 0.2, 0.3]
    var lossSize = TransferSize(count: 1_000_000, batch: Limits.maxNumbersPerDatagram)
    /// The loss rows' round trip: 10 ms as the published loss figures; loopback's is a fraction
    /// of a millisecond, where the kernel runs of item 4 are.
    var lossRoundTrip: Nanoseconds = .milliseconds(10)
    var propagations: [Nanoseconds] = [.milliseconds(5), .microseconds(50)]
    var parts: [String] = CongestionSimulation.parts
    var seeds = 3
    var threads = 1
    /// Also run `-cc none` through the bottlenecks (slow: it floods them).
    var withNone = false
    /// Show each seed's figures under the means, which hide how far trajectories part (ten
    /// clients at 50 µs: 1.06 times the minimum in one seed, 4.3 in another).
    var perSeed = false
}

enum CongestionSimulation {
    static let parts = ["loss", "alone", "four", "ten", "tenhosts", "grid"]

    /// One line of the table: a setting and the same setting's outcome per seed, for each controller.
    struct Row {
        var part: String
        var setting: String
        var none: [Outcome] = []
        var model: [Outcome] = []
        func json(perSeed: Bool) -> JSON {
            var members: [(String, JSON)] = [("part", .string(part)), ("setting", .string(setting))]
            for (name, outcomes) in [("none", none), ("model", model)] where !outcomes.isEmpty {
                var figures = Outcome.figures(outcomes)
                if perSeed { figures.append(("per_seed", .array(outcomes.map { .object(Outcome.figures([$0])) }))) }
                members.append((name, .object(figures)))
            }
            if let ratio { members.append(("model_over_none", .number(ratio, places: 3))) }
            return .object(members)
        }
        /// Model's mean time over none's (loss rows).
        var ratio: Double? {
            guard !none.isEmpty, !model.isEmpty else { return nil }
            return mean(model.map(\.seconds)) / mean(none.map(\.seconds))
        }
    }

    struct Outcome: Sendable {
        var seconds: Double
        var sentOverMinimum: Double
        var linkShare: Double?
        var jain: Double?
        var passed: Bool

        /// The means of `outcomes` (one seed's own figures when it is alone).
        static func figures(_ outcomes: [Outcome]) -> [(String, JSON)] {
            [("seconds", .number(mean(outcomes.map(\.seconds)), places: 4)),
             ("link_share", outcomes[0].linkShare == nil ? .null : .number(mean(outcomes.compactMap(\.linkShare)), places: 3)),
             ("sent_over_min", .number(mean(outcomes.map(\.sentOverMinimum)), places: 3)),
             ("jain", outcomes[0].jain == nil ? .null : .number(mean(outcomes.compactMap(\.jain)), places: 3)),
             ("passed", .bool(outcomes.allSatisfy(\.passed)))]
        }
    }

    /// A run to do: which row it belongs to, and how to do it.
    struct Job: Sendable {
        var row: Int
        var control: CongestionControl
        var work: @Sendable () -> Outcome
    }

    static func jobs(_ options: CongestionSimulationOptions) -> (rows: [Row], jobs: [Job]) {
        var rows: [Row] = []
        var jobs: [Job] = []
        let seeds = 1...UInt64(options.seeds)
        if options.parts.contains("loss") {
            for p in options.losses {
                rows.append(Row(part: "loss", setting: "p \(fixed(p, 2)), \(grouped(Int(options.lossSize.count))) × \(options.lossSize.batch), "
                                + "\(options.lossRoundTrip) RTT"))
                for control in [CongestionControl.none, .model] {
                    for seed in seeds {
                        let run = LossRun(p: p, count: options.lossSize.count, batch: options.lossSize.batch, roundTrip: options.lossRoundTrip,
                                          seed: seed, control: control)
                        let minimum = Double(options.lossSize.datagrams)
                        jobs.append(Job(row: rows.count - 1, control: control) {
                            let o = run.run()
                            return Outcome(seconds: o.seconds ?? .infinity, sentOverMinimum: Double(o.dataSent) / minimum, passed: o.passed)
                        })
                    }
                }
            }
        }
        func bottleneck(_ part: String, rate: UInt64, queue: Int, clients: Int, count: UInt32, stagger: Nanoseconds = .zero,
                        sharedHost: Bool = true) {
            for propagation in options.propagations {
                let link = BottleneckLink(bitsPerSecond: rate, queueLimit: queue, propagation: propagation)
                rows.append(Row(part: part, setting: "\(Double(rate) / 1e6) Mbit/s, queue \(grouped(queue)) B, \(propagation) one way, "
                                + "\(clients) × \(grouped(Int(count)))" + (stagger == .zero ? "" : " \(stagger) apart")
                                + (clients > 1 ? " (+0–\(Scenario.startJitter))" : "") + (clients > 1 && !sharedHost ? ", \(clients) hosts" : "")))
                for control in options.withNone ? [CongestionControl.none, .model] : [.model] {
                    for seed in seeds {
                        let run = BottleneckRun(link, clients: clients, count: count, control: control, seed: seed, stagger: stagger,
                                                sharedHost: sharedHost)
                        jobs.append(Job(row: rows.count - 1, control: control) {
                            let o = run.run()
                            return Outcome(seconds: o.seconds, sentOverMinimum: o.sentOverMinimum, linkShare: o.linkShare,
                                           jain: clients > 1 ? o.jain : nil, passed: o.passed)
                        })
                    }
                }
            }
        }
        if options.parts.contains("alone") { bottleneck("alone", rate: 50_000_000, queue: 60_000, clients: 1, count: 2_000_000) }
        if options.parts.contains("four") {
            bottleneck("four", rate: 50_000_000, queue: 60_000, clients: 4, count: 1_500_000, stagger: .milliseconds(100))
        }
        if options.parts.contains("ten") { bottleneck("ten", rate: 50_000_000, queue: 60_000, clients: 10, count: 600_000) }
        // The same ten on ten machines share nothing of what they learn (PROTOCOL.md §13).
        if options.parts.contains("tenhosts") {
            bottleneck("tenhosts", rate: 50_000_000, queue: 60_000, clients: 10, count: 600_000, sharedHost: false)
        }
        if options.parts.contains("grid") {
            for rate in [10_000_000, 200_000_000] as [UInt64] {
                for queue in [10_000, 1_000_000] {
                    bottleneck("grid", rate: rate, queue: queue, clients: 1, count: UInt32(2_000_000 * rate / 50_000_000))
                }
            }
        }
        return (rows, jobs)
    }

    static func run(_ options: CongestionSimulationOptions) -> (rows: [Row], wallSeconds: Double) {
        let start = MonotonicClock.now()
        let planned = jobs(options)
        var rows = planned.rows
        let work = planned.jobs
        let outcomes = ParallelRuns.map(count: work.count, threads: options.threads) { work[$0].work() }
        for (job, outcome) in zip(work, outcomes) {
            if job.control == .none { rows[job.row].none.append(outcome) } else { rows[job.row].model.append(outcome) }
        }
        return (rows, seconds(since: start))
    }

    static func table(_ rows: [Row], wallSeconds: Double, perSeed: Bool = false) -> String {
        var lines = [column("part", 6) + column("setting", 84) + "  none: s / share / sent÷min / Jain   model: s / share / sent÷min / Jain   model÷none"]
        for row in rows {
            func cells(_ outcomes: [Outcome]) -> String {
                guard !outcomes.isEmpty else { return column("-", 8) + column("-", 7) + column("-", 7) + column("-", 7) }
                let share = outcomes.first?.linkShare == nil ? "-" : fixed(mean(outcomes.compactMap(\.linkShare)), 3)
                let jain = outcomes.first?.jain == nil ? "-" : fixed(mean(outcomes.compactMap(\.jain)), 3)
                return column(fixed(mean(outcomes.map(\.seconds)), 3), 8) + column(share, 7) + column(fixed(mean(outcomes.map(\.sentOverMinimum)), 3), 7)
                    + column(jain, 7) + (outcomes.allSatisfy(\.passed) ? "" : " FAIL")
            }
            lines.append(column(row.part, 6) + column(row.setting, 84) + "  " + cells(row.none) + "   " + cells(row.model)
                         + "   " + (row.ratio.map { fixed($0, 3) } ?? "-"))
            guard perSeed else { continue }
            for k in 0..<max(row.none.count, row.model.count) {
                let none = k < row.none.count ? [row.none[k]] : [], model = k < row.model.count ? [row.model[k]] : []
                lines.append(column("", 6) + column("seed \(k + 1)", 84) + "  " + cells(none) + "   " + cells(model))
            }
        }
        lines.append("means over the seeds; \(fixed(wallSeconds, 1)) s of real time")
        return lines.joined(separator: "\n")
    }
}

func makeCongestionSimulationCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print the rows as JSON")
    let losses = flags.string("p", default: "0.1,0.2,0.3", usage: "comma-separated loss `rates` of the loss part", validate: lossListCheck)
    let lossSize = flags.string("lossSize", default: "1000000x\(Limits.maxNumbersPerDatagram)",
                                usage: "the loss part's `transfer`, COUNTxBATCH (numbers, numbers per DATA)",
                                validate: { TransferSize(parsing: $0) == nil ? "must be COUNTxBATCH, COUNT ≥ 1, BATCH 1–\(Limits.maxNumbersPerDatagram)" : nil })
    let lossRoundTrip = flags.duration("lossRTT", default: .milliseconds(10), usage: "the loss part's round-trip `time` (half of it each way)",
                                       validate: { (1_000...20_000_000_000).contains($0.nanoseconds) ? nil : "must be between 1us and 20s" })
    let parts = flags.string("parts", default: CongestionSimulation.parts.joined(separator: ","),
                             usage: "comma-separated `parts`: " + CongestionSimulation.parts.joined(separator: ", "),
                             validate: { text in
                                 let bad = text.split(separator: ",").filter { !CongestionSimulation.parts.contains(String($0)) }
                                 return bad.isEmpty ? nil : "unknown part \(bad[0])"
                             })
    let propagations = flags.string("propagation", default: "5ms,50us", usage: "comma-separated one-way `delays` of the bottleneck parts",
                                    validate: listCheck(durationList))
    let seeds = flags.int("seeds", default: 3, usage: "seeds each figure is the mean of (1, 2, …, seeds)",
                          validate: { (1...100).contains($0) ? nil : "must be between 1 and 100" })
    let threads = flags.int("threads", default: 1, usage: "simulations run at once",
                            validate: { (1...256).contains($0) ? nil : "must be between 1 and 256" })
    let withNone = flags.bool("withNone", usage: "also run -cc none through the bottlenecks (slow: it floods them)")
    let perSeed = flags.bool("perSeed", usage: "also show each seed's figures under its row's means (in JSON: per_seed)")
    return Command(flags: flags) {
        var options = CongestionSimulationOptions()
        options.losses = try! lossList(losses.value).get()
        options.lossSize = TransferSize(parsing: lossSize.value)!
        options.lossRoundTrip = Nanoseconds(lossRoundTrip.value.nanoseconds)
        options.parts = parts.value.split(separator: ",").map(String.init)
        options.propagations = try! durationList(propagations.value).get()
        options.seeds = seeds.value; options.threads = threads.value; options.withNone = withNone.value; options.perSeed = perSeed.value
        let (rows, wall) = CongestionSimulation.run(options)
        emit(.array(rows.map { $0.json(perSeed: options.perSeed) }), asJSON: json.value,
             text: CongestionSimulation.table(rows, wallSeconds: wall, perSeed: options.perSeed))
        return rows.allSatisfy { $0.none.allSatisfy(\.passed) && $0.model.allSatisfy(\.passed) } ? 0 : 1
    }
}
