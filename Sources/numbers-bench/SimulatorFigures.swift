import NumbersCLI
import NumbersProtocol
import NumbersSimulation
import NumbersTransport

/// The published simulator figures (`PublishedFigures`), computed on every core, and written where
/// they are published: README.md's table, the `simulator` member of bench/results.json,
/// bench/loss-sweep.csv and bench/loss-sweep.svg.
struct SimulatorFigures {
    var table: [PublishedFigures.Point]
    var sweep: [PublishedFigures.Point]
    var wallSeconds: Double

    static func compute(threads: Int = ParallelRuns.processorCount) -> SimulatorFigures {
        let start = MonotonicClock.now()
        let runs = PublishedFigures.runs
        let outcomes = ParallelRuns.map(count: runs.count, threads: threads) { runs[$0].run() }
        var byRun: [LossRun: LossRun.Outcome] = [:]
        for (run, outcome) in zip(runs, outcomes) { byRun[run] = outcome }
        let (table, sweep) = PublishedFigures.points(byRun)
        return SimulatorFigures(table: table, sweep: sweep, wallSeconds: seconds(since: start))
    }

    var passed: Bool { (table + sweep).allSatisfy(\.passed) }

    /// Each figure as published: the same rounding as the README, as a JSON number.
    static func json(_ point: PublishedFigures.Point) -> JSON {
        var members: [(String, JSON)] = [("rtt_ms", .number(point.roundTrip.seconds * 1_000, places: 3)), ("n", .int(Int(point.count))),
                                         ("batch", .int(point.batch)), ("seeds", .int(point.seeds))]
        for column in PublishedFigures.columns where column.key != "size" {
            let text = column.value(point)
            switch column.key {
            case "passed": members.append((column.key, .bool(point.passed)))
            default: members.append((column.key, Double(text).map { .number($0) } ?? .null))
            }
        }
        return .object(members)
    }

    var json: JSON {
        .object([
            ("generated_by", .string("numbers-bench figures (deterministic: checked by swift test)")),
            ("table", .array(table.map(Self.json))),
            ("sweep", .array(sweep.map(Self.json))),
        ])
    }

    var text: String {
        let columns = PublishedFigures.columns
        var lines = [columns.map(\.heading).joined(separator: " | ")]
        for point in table { lines.append(columns.map { $0.value(point) }.joined(separator: " | ")) }
        lines.append("sweep (\(sweep.count) points) and table: \(fixed(wallSeconds, 1)) s of real time")
        return lines.joined(separator: "\n")
    }

    struct Paths {
        var readme = "README.md"
        var results = "bench/results.json"
        var csv = "bench/loss-sweep.csv"
        var svg = "bench/loss-sweep.svg"
    }

    func write(to paths: Paths) throws(BenchError) {
        guard let readme = readTextFile(paths.readme) else { throw BenchError("cannot read \(paths.readme)") }
        guard let updated = PublishedFigures.replacingBlock(in: readme, with: PublishedFigures.readmeBlock(table)) else {
            throw BenchError("\(paths.readme) has no block between \"\(PublishedFigures.readmeBegin)\" and \"\(PublishedFigures.readmeEnd)\"")
        }
        try writeTextFile(paths.readme, updated)
        let results = readTextFile(paths.results) ?? "{\n}\n"
        try writeTextFile(paths.results, try Self.replacingMember("simulator", with: json, in: results))
        try writeTextFile(paths.csv, PublishedFigures.csv(sweep))
        try writeTextFile(paths.svg, SweepChart.svg(sweep))
    }

    /// `text`, a JSON object as `JSON.rendered` writes it, with one top-level member replaced (or
    /// added at the end). Top-level members are the lines indented by exactly two spaces.
    static func replacingMember(_ key: String, with value: JSON, in text: String) throws(BenchError) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.first == "{", lines.last == "}" else { throw BenchError("not a JSON object as numbers-bench writes one") }
        var members: [[String]] = []
        for line in lines.dropFirst().dropLast() {
            if line.hasPrefix("  \"") { members.append([line]) } else if !members.isEmpty { members[members.count - 1].append(line) }
        }
        var rendered = members.map { member -> String in
            var text = member.joined(separator: "\n")
            if text.hasSuffix(",") { text.removeLast() }
            return text
        }
        let replacement = "  " + JSON.quote(key) + ": " + value.rendered(indent: 2)
        if let index = rendered.firstIndex(where: { $0.hasPrefix("  " + JSON.quote(key) + ":") }) {
            rendered[index] = replacement
        } else {
            rendered.append(replacement)
        }
        return "{\n" + rendered.joined(separator: ",\n") + "\n}\n"
    }
}

/// `numbers-bench figures`: recomputes and rewrites every published simulator figure.
func makeFiguresCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print the figures as JSON (the `simulator` member of results.json)")
    let readme = flags.string("readme", default: "README.md", usage: "the README `file` whose simulator table is rewritten")
    let results = flags.string("results", default: "bench/results.json", usage: "the results `file` whose `simulator` member is rewritten")
    let csv = flags.string("csv", default: "bench/loss-sweep.csv", usage: "where the sweep's CSV goes")
    let svg = flags.string("svg", default: "bench/loss-sweep.svg", usage: "where the sweep's chart goes")
    let dryRun = flags.bool("print", usage: "only print the figures; write nothing")
    return Command(flags: flags) {
        let figures = SimulatorFigures.compute()
        if !dryRun.value {
            do {
                try figures.write(to: SimulatorFigures.Paths(readme: readme.value, results: results.value, csv: csv.value, svg: svg.value))
                progress("figures: rewrote \(readme.value), the simulator member of \(results.value), \(csv.value) and \(svg.value)")
            } catch {
                printError("\(program) figures: \(error)")
                return 1
            }
        }
        emit(figures.json, asJSON: json.value, text: figures.text)
        return figures.passed ? 0 : 1
    }
}
