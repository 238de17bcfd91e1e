import NumbersCLI
import NumbersProtocol
import NumbersSimulation
import NumbersTransport

/// A transfer size: n numbers, `batch` numbers per DATA datagram. Written `65535x1`.
struct TransferSize: Hashable, Sendable {
    var count: UInt32
    var batch: Int

    var text: String { "\(count)x\(batch)" }
    var datagrams: Int { (Int(count) + batch - 1) / batch }

    init(count: UInt32, batch: Int) { self.count = count; self.batch = batch }

    init?(parsing text: String) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = UInt32(parts[0]), let batch = Int(parts[1]), count >= 1,
              (1...Limits.maxNumbersPerDatagram).contains(batch) else { return nil }
        self.init(count: count, batch: batch)
    }
}

/// The grid of issue 8 ("Done when" 1): every round trip × transfer size × loss rate, each cell
/// run over seeds 1, 2, …, max(seeds, tailSeeds) of the deterministic simulation.
struct LossGridOptions {
    var roundTrips: [Nanoseconds] = [.milliseconds(10), .milliseconds(100)]
    var losses: [Double] = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5]
    var sizes: [TransferSize] = [TransferSize(count: 65_535, batch: 1), TransferSize(count: 1_000_000, batch: 294)]
    /// The mean is taken over the first `seeds` seeds, the 99th percentile over the first `tailSeeds`.
    var seeds = 20
    var tailSeeds = 100
    var window: UInt32 = 65_536
    var threads = ParallelRuns.processorCount

    var runsPerCell: Int { max(seeds, tailSeeds) }
}

struct LossCell {
    var roundTrip: Nanoseconds
    var size: TransferSize
    var p: Double
    var window: UInt32
    var seeds: Int
    var tailSeeds: Int
    /// Seeds 1, 2, … in order.
    var outcomes: [LossRun.Outcome]
    /// Ideal selective repeat's time on the same path with the same window (`IdealSelectiveRepeat`).
    var idealSeconds: Double
    /// The same with a window holding the whole transfer: what the window itself costs.
    var idealAnyWindowSeconds: Double
    var wallSeconds: Double

    private var meanRuns: ArraySlice<LossRun.Outcome> { outcomes.prefix(seeds) }
    private var tailRuns: ArraySlice<LossRun.Outcome> { outcomes.prefix(tailSeeds) }

    var roundTripMilliseconds: Double { Double(roundTrip.value) / 1e6 }
    /// Mean completion time over `seeds` (nil when any of them did not finish).
    var meanSeconds: Double? {
        let times = meanRuns.compactMap(\.seconds)
        return times.count == meanRuns.count ? mean(times) : nil
    }
    /// The 99th percentile over `tailSeeds` by nearest rank: the ceil(0.99 · N)-th smallest time
    /// (with 100 seeds, the second slowest). Nil when a run in the tail did not finish.
    var p99Seconds: Double? {
        let times = tailRuns.compactMap(\.seconds).sorted()
        guard times.count == tailRuns.count, !times.isEmpty else { return nil }
        return times[Int((0.99 * Double(times.count)).rounded(.up)) - 1]
    }
    var meanOverIdeal: Double? { meanSeconds.map { $0 / idealSeconds } }
    var p99OverIdeal: Double? { p99Seconds.map { $0 / idealSeconds } }
    var dataSent: Double { mean(meanRuns.map { Double($0.dataSent) }) }
    var sentOverMinimum: Double { dataSent / Double(size.datagrams) }
    /// 1 / (1 − p): what ideal selective repeat sends per datagram delivered.
    var idealSentOverMinimum: Double { 1 / (1 - p) }
    /// How far DATA sent ÷ minimum is from 1/(1 − p), as a fraction (+0.05: 5% more than ideal).
    var sentExcess: Double { sentOverMinimum / idealSentOverMinimum - 1 }
    var acksSent: Double { mean(meanRuns.map { Double($0.acksSent) }) }
    var acksPerData: Double { acksSent / max(dataSent, 1) }
    var probes: Double { mean(meanRuns.map { Double($0.probesSent) }) }
    var failures: [String] { tailRuns.compactMap(\.failure) }
    var allPassed: Bool { failures.isEmpty }

    var json: JSON {
        .object([
            ("rtt_ms", .number(roundTripMilliseconds, places: 3)),
            ("p", .number(p, places: 3)),
            ("n", .int(Int(size.count))),
            ("batch", .int(size.batch)),
            ("window", .int(Int(window))),
            ("seeds", .int(seeds)),
            ("tail_seeds", .int(tailSeeds)),
            ("mean_s", .optional(meanSeconds, places: 5)),
            ("p99_s", .optional(p99Seconds, places: 5)),
            ("ideal_s", .number(idealSeconds, places: 5)),
            ("ideal_unlimited_window_s", .number(idealAnyWindowSeconds, places: 5)),
            ("mean_over_ideal", .optional(meanOverIdeal, places: 3)),
            ("p99_over_ideal", .optional(p99OverIdeal, places: 3)),
            ("data_sent", .number(dataSent, places: 1)),
            ("min_datagrams", .int(size.datagrams)),
            ("sent_over_min", .number(sentOverMinimum, places: 4)),
            ("ideal_sent_over_min", .number(idealSentOverMinimum, places: 4)),
            ("sent_excess", .number(sentExcess, places: 4)),
            ("acks_sent", .number(acksSent, places: 1)),
            ("acks_per_data", .number(acksPerData, places: 4)),
            ("probes", .number(probes, places: 2)),
            ("wall_s", .number(wallSeconds, places: 2)),
            ("passed", .bool(allPassed)),
            ("failures", .array(failures.prefix(5).map { .string($0) })),
        ])
    }

    /// Issue 8's targets for this cell: mean ≤ 3× ideal, p99 ≤ 5× ideal, DATA sent ÷ minimum within
    /// 5% of 1/(1 − p), and at p = 0 at most one ACK per two DATA datagrams.
    var meanMet: Bool { (meanOverIdeal ?? .infinity) <= 3 }
    var tailMet: Bool { (p99OverIdeal ?? .infinity) <= 5 }
    var sentMet: Bool { abs(sentExcess) <= 0.05 }
    var acksMet: Bool { p > 0 || acksPerData <= 0.5 }
}

enum LossGrid {
    static func run(options: LossGridOptions) -> (cells: [LossCell], wallSeconds: Double) {
        let start = MonotonicClock.now()
        var cells: [LossCell] = []
        for roundTrip in options.roundTrips {
            for size in options.sizes {
                let ideal = IdealSelectiveRepeat(count: Int(size.count), batch: size.batch, window: Int(options.window))
                let unlimited = IdealSelectiveRepeat(count: Int(size.count), batch: size.batch, window: Int(size.count))
                for p in options.losses {
                    let cellStart = MonotonicClock.now()
                    let runs = (1...UInt64(options.runsPerCell)).map {
                        LossRun(p: p, count: size.count, batch: size.batch, window: options.window, roundTrip: roundTrip, seed: $0)
                    }
                    let outcomes = ParallelRuns.map(count: runs.count, threads: options.threads) { runs[$0].run() }
                    let cell = LossCell(roundTrip: roundTrip, size: size, p: p, window: options.window, seeds: options.seeds,
                                        tailSeeds: options.tailSeeds, outcomes: outcomes,
                                        idealSeconds: ideal.seconds(p: p, roundTrip: roundTrip.seconds),
                                        idealAnyWindowSeconds: unlimited.seconds(p: p, roundTrip: roundTrip.seconds),
                                        wallSeconds: seconds(since: cellStart))
                    progress("efficiency rtt \(fixed(cell.roundTripMilliseconds, 0)) ms, n = \(size.text), p = \(fixed(p, 2)): "
                             + "mean \(optionalFixed(cell.meanSeconds, 3)) s (\(optionalFixed(cell.meanOverIdeal, 2))× ideal "
                             + "\(fixed(cell.idealSeconds, 3)) s), p99 \(optionalFixed(cell.p99Seconds, 3)) s, "
                             + "sent/min \(fixed(cell.sentOverMinimum, 4)), wall \(fixed(cell.wallSeconds, 1)) s"
                             + (cell.allPassed ? "" : ", FAILED: \(cell.failures.first ?? "")"))
                    cells.append(cell)
                }
            }
        }
        return (cells, seconds(since: start))
    }

    static func table(_ cells: [LossCell], wallSeconds: Double) -> String {
        var lines: [String] = []
        var group: (Nanoseconds, TransferSize)?
        for cell in cells {
            if group == nil || group! != (cell.roundTrip, cell.size) {
                group = (cell.roundTrip, cell.size)
                if !lines.isEmpty { lines.append("") }
                lines.append("RTT \(fixed(cell.roundTripMilliseconds, 0)) ms, n = \(grouped(Int(cell.size.count))) × \(cell.size.batch) per DATA "
                             + "(minimum \(grouped(cell.size.datagrams)) DATA), window \(grouped(Int(cell.window))); "
                             + "mean of \(cell.seeds) seeds, p99 of \(cell.tailSeeds)")
                lines.append("     p    mean s     p99 s   ideal s  mean/ideal  p99/ideal  sent/min  1/(1-p)  ACK/DATA   probes  verified")
            }
            lines.append(column(fixed(cell.p, 2), 6) + column(optionalFixed(cell.meanSeconds, 3), 10) + column(optionalFixed(cell.p99Seconds, 3), 10)
                         + column(fixed(cell.idealSeconds, 3), 10) + column(optionalFixed(cell.meanOverIdeal, 2), 12)
                         + column(optionalFixed(cell.p99OverIdeal, 2), 11) + column(fixed(cell.sentOverMinimum, 4), 10)
                         + column(fixed(cell.idealSentOverMinimum, 4), 9) + column(fixed(cell.acksPerData, 4), 10)
                         + column(fixed(cell.probes, 1), 9) + column(cell.allPassed ? "PASS" : "FAIL", 10))
        }
        let lossy = cells.filter { $0.p > 0 }
        lines.append("")
        lines.append("targets (issue 8): mean ≤ 3× ideal in \(lossy.filter(\.meanMet).count)/\(lossy.count) lossy cells, "
                     + "p99 ≤ 5× ideal in \(lossy.filter(\.tailMet).count)/\(lossy.count), "
                     + "sent/min within 5% of 1/(1-p) in \(cells.filter(\.sentMet).count)/\(cells.count), "
                     + "≤ 1 ACK per 2 DATA at p = 0 in \(cells.filter { $0.p == 0 && $0.acksMet }.count)/\(cells.filter { $0.p == 0 }.count)")
        lines.append("whole grid: \(fixed(wallSeconds, 1)) s of real time")
        return lines.joined(separator: "\n")
    }

    static func json(_ cells: [LossCell], options: LossGridOptions, wallSeconds: Double) -> JSON {
        .object([
            ("settings", .object([
                ("rtt_ms", .array(options.roundTrips.map { .number(Double($0.value) / 1e6, places: 3) })),
                ("p", .array(options.losses.map { .number($0, places: 3) })),
                ("sizes", .array(options.sizes.map { .string($0.text) })),
                ("window", .int(Int(options.window))),
                ("seeds", .int(options.seeds)),
                ("tail_seeds", .int(options.tailSeeds)),
                ("threads", .int(options.threads)),
            ])),
            ("cells", .array(cells.map(\.json))),
            ("wall_s", .number(wallSeconds, places: 1)),
        ])
    }
}

func optionalFixed(_ value: Double?, _ places: Int) -> String { value.map { fixed($0, places) } ?? "-" }
