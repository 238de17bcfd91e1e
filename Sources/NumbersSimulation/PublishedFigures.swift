import NumbersProtocol

/// The simulator figures the repository publishes: the loss table in README.md, the `simulator`
/// section of bench/results.json and bench/loss-sweep.csv (drawn as bench/loss-sweep.svg). They
/// are virtual time, so they repeat exactly; `numbers-bench figures` writes them and a test
/// recomputes them, so a change of behaviour cannot leave them stale.
package enum PublishedFigures {
    package static let seeds = 3
    package static let roundTrip = Nanoseconds.milliseconds(10)
    package static let window: UInt32 = ServerConfig.defaultWindow

    /// The README table: both transfer sizes at a few loss rates.
    package static let tableCells: [(count: UInt32, batch: Int, p: Double)] =
        [(65_535, 1), (1_000_000, 294)].flatMap { size in [0, 0.1, 0.3, 0.5].map { (size.0, size.1, $0) } }
    /// The sweep: 65,535 numbers one per DATA, p = 0, 0.05, …, 0.5.
    package static let sweepLosses: [Double] = (0...10).map { Double($0) / 20 }
    package static let sweepCount: UInt32 = 65_535
    package static let sweepBatch = 1

    /// One published point: the means over `seeds` of one transfer size at one loss rate.
    package struct Point: Sendable {
        package var count: UInt32
        package var batch: Int
        package var p: Double
        package var roundTrip: Nanoseconds
        package var seeds: Int
        /// Nil when a seed did not finish.
        package var meanSeconds: Double?
        package var idealSeconds: Double
        package var dataSent: Double
        package var acksSent: Double
        package var probes: Double
        package var passed: Bool

        package var datagrams: Int { (Int(count) + batch - 1) / batch }
        package var sentOverMinimum: Double { dataSent / Double(datagrams) }
        package var idealSentOverMinimum: Double { 1 / (1 - p) }
        package var acksPerData: Double { acksSent / max(dataSent, 1) }
    }

    /// A published figure of a point: its column heading (README), its key (JSON and CSV) and its
    /// text, rounded as published.
    package struct Column: Sendable {
        package var heading: String
        package var key: String
        package var value: @Sendable (Point) -> String
    }

    package static let columns: [Column] = [
        Column(heading: "n × numbers per DATA", key: "size") { "\(grouped(Int($0.count))) × \($0.batch)" },
        Column(heading: "p", key: "p") { decimal($0.p, 2) },
        Column(heading: "time to PASS, s", key: "mean_s") { $0.meanSeconds.map { decimal($0, 3) } ?? "-" },
        Column(heading: "ideal selective repeat, s", key: "ideal_s") { decimal($0.idealSeconds, 3) },
        Column(heading: "÷ ideal", key: "over_ideal") { point in point.meanSeconds.map { decimal($0 / point.idealSeconds, 2) } ?? "-" },
        Column(heading: "DATA sent ÷ minimum", key: "sent_over_min") { decimal($0.sentOverMinimum, 4) },
        Column(heading: "1/(1−p)", key: "ideal_sent_over_min") { decimal($0.idealSentOverMinimum, 4) },
        Column(heading: "ACKs per DATA", key: "acks_per_data") { decimal($0.acksPerData, 4) },
        Column(heading: "probes", key: "probes") { decimal($0.probes, 1) },
        Column(heading: "verified", key: "passed") { $0.passed ? "PASS" : "FAIL" },
    ]

    static func run(count: UInt32, batch: Int, p: Double, seed: UInt64) -> LossRun {
        LossRun(p: p, count: count, batch: batch, window: window, roundTrip: roundTrip, seed: seed)
    }

    /// Every run the figures need, each once (the sweep and the table share some).
    package static var runs: [LossRun] {
        var all: [LossRun] = []
        var seen = Set<LossRun>()
        let cells = tableCells + sweepLosses.map { (sweepCount, sweepBatch, $0) }
        for cell in cells {
            for seed in 1...UInt64(seeds) {
                let run = run(count: cell.count, batch: cell.batch, p: cell.p, seed: seed)
                if seen.insert(run).inserted { all.append(run) }
            }
        }
        return all
    }

    /// The points, from the outcomes of `runs` (run them in any order, on any number of threads).
    package static func points(_ outcomes: [LossRun: LossRun.Outcome]) -> (table: [Point], sweep: [Point]) {
        func point(_ count: UInt32, _ batch: Int, _ p: Double) -> Point {
            let results = (1...UInt64(seeds)).map { outcomes[run(count: count, batch: batch, p: p, seed: $0)]! }
            let times = results.compactMap(\.seconds)
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
            let ideal = IdealSelectiveRepeat(count: Int(count), batch: batch, window: Int(window))
            return Point(count: count, batch: batch, p: p, roundTrip: roundTrip, seeds: seeds,
                         meanSeconds: times.count == results.count ? mean(times) : nil,
                         idealSeconds: ideal.seconds(p: p, roundTrip: roundTrip.seconds),
                         dataSent: mean(results.map { Double($0.dataSent) }), acksSent: mean(results.map { Double($0.acksSent) }),
                         probes: mean(results.map { Double($0.probesSent) }), passed: results.allSatisfy(\.passed))
        }
        return (tableCells.map { point($0.count, $0.batch, $0.p) }, sweepLosses.map { point(sweepCount, sweepBatch, $0) })
    }

    // MARK: Where they are published

    package static let readmeBegin = "<!-- simulator figures: written by `numbers-bench figures`, checked by `swift test` -->"
    package static let readmeEnd = "<!-- end of simulator figures -->"

    /// The block between (and including) the README markers.
    package static func readmeBlock(_ table: [Point]) -> String {
        var lines = [readmeBegin, "",
                     "Deterministic simulation, \(decimal(roundTrip.seconds * 1_000, 0)) ms round trip, random loss p on every datagram "
                     + "both ways, server at full speed, window \(grouped(Int(window))) numbers; mean of seeds 1 to \(seeds):", "",
                     "| " + columns.map(\.heading).joined(separator: " | ") + " |",
                     "|" + String(repeating: " --- |", count: columns.count)]
        for point in table { lines.append("| " + columns.map { $0.value(point) }.joined(separator: " | ") + " |") }
        lines += ["", readmeEnd]
        return lines.joined(separator: "\n")
    }

    /// `readme` with its block replaced by `block` (nil: the markers are missing).
    package static func replacingBlock(in readme: String, with block: String) -> String? {
        guard let begin = readme.firstRange(of: readmeBegin), let end = readme.firstRange(of: readmeEnd), begin.upperBound <= end.lowerBound else { return nil }
        return String(readme[..<begin.lowerBound]) + block + String(readme[end.upperBound...])
    }

    package static func csv(_ sweep: [Point]) -> String {
        let keys = ["rtt_ms", "n", "batch", "seeds"] + columns.filter { $0.key != "size" }.map(\.key)
        var lines = [keys.joined(separator: ",")]
        for point in sweep {
            lines.append(([decimal(point.roundTrip.seconds * 1_000, 1), String(point.count), String(point.batch), String(point.seeds)]
                          + columns.filter { $0.key != "size" }.map { $0.value(point) }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Formatting

    /// `value` rounded half away from zero to `places` decimals, without Foundation.
    package static func decimal(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        var fraction = String(Int(scaled - Double(whole) * scale))
        fraction = String(repeating: "0", count: max(0, places - fraction.count)) + fraction
        let sign = value < 0 && scaled > 0 ? "-" : ""
        return places == 0 ? sign + String(whole) : sign + String(whole) + "." + fraction
    }

    /// `1234567` → `1,234,567`.
    package static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
