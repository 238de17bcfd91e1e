import Foundation
import Testing
import NumbersProtocol
@testable import NumbersSimulation

/// The simulator's figures are virtual time and repeat exactly, so what README.md,
/// bench/results.json and bench/loss-sweep.csv publish must be what the code produces now.
/// A failure names the figure, the published value and the computed one; `numbers-bench figures`
/// (release build) rewrites all of them.
@Suite struct PublishedFiguresTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let regenerate = "regenerate with: swift build -c release && .build/release/numbers-bench figures"

    @Test func publishedFiguresAreWhatTheCodeProduces() async throws {
        let (table, sweep) = PublishedFigures.points(await Self.outcomes(PublishedFigures.runs))
        var mismatches: [String] = []

        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        mismatches += Self.compareReadme(readme, table)

        let resultsData = try Data(contentsOf: Self.root.appendingPathComponent("bench/results.json"))
        mismatches += Self.compareResults(try JSONSerialization.jsonObject(with: resultsData), table: table, sweep: sweep)

        let csv = try String(contentsOf: Self.root.appendingPathComponent("bench/loss-sweep.csv"), encoding: .utf8)
        mismatches += Self.compareCSV(csv, sweep)

        for mismatch in mismatches.prefix(30) { Issue.record(Comment(rawValue: mismatch)) }
        #expect(mismatches.isEmpty, "\(mismatches.count) published simulator figures differ from what the code produces; \(Self.regenerate)")
    }

    /// The figures are recomputed here, not trusted: a planted wrong value is caught by name.
    @Test func aChangedFigureIsReportedByNameWithBothValues() {
        let point = PublishedFigures.Point(count: 65_535, batch: 1, p: 0.3, roundTrip: PublishedFigures.roundTrip, seeds: 3,
                                           meanSeconds: 1.687, idealSeconds: 0.112, dataSent: 93_649, acksSent: 985, probes: 4,
                                           passed: true)
        var stale = point
        stale.meanSeconds = 6.962
        let readme = "intro\n" + PublishedFigures.readmeBlock([stale]) + "\nrest\n"
        let mismatches = Self.compareReadme(readme, [point])
        #expect(mismatches.contains { $0.contains("time to PASS") && $0.contains("6.962") && $0.contains("1.687") }, "\(mismatches)")
        #expect(Self.compareReadme("intro\n" + PublishedFigures.readmeBlock([point]) + "\nrest\n", [point]).isEmpty)
        let json: [String: Any] = ["simulator": ["table": [["n": 65_535, "batch": 1, "p": 0.3, "mean_s": 6.962]], "sweep": []]]
        #expect(Self.compareResults(json, table: [point], sweep: []).contains { $0.contains("mean_s") && $0.contains("6.962") && $0.contains("1.687") })
        #expect(!Self.compareReadme("no markers here", [point]).isEmpty)
        #expect(Self.compareCSV(PublishedFigures.csv([stale]), [point]).contains { $0.contains("mean_s") && $0.contains("6.962") })
    }

    // MARK: Comparing

    static func label(_ point: PublishedFigures.Point) -> String {
        "\(PublishedFigures.grouped(Int(point.count))) × \(point.batch) at p = \(PublishedFigures.decimal(point.p, 2))"
    }

    static func compareReadme(_ readme: String, _ table: [PublishedFigures.Point]) -> [String] {
        guard let begin = readme.range(of: PublishedFigures.readmeBegin), let end = readme.range(of: PublishedFigures.readmeEnd) else {
            return ["README.md: the simulator table's markers are missing"]
        }
        let rows = readme[begin.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("| ") }
            .map { $0.dropFirst(2).dropLast(2).components(separatedBy: " | ") }
        let columns = PublishedFigures.columns
        guard let header = rows.first, header == columns.map(\.heading) else {
            return ["README.md: the simulator table's columns are \(rows.first ?? []), the code publishes \(columns.map(\.heading))"]
        }
        var mismatches: [String] = []
        for point in table {
            let key = [columns[0].value(point), columns[1].value(point)]
            guard let row = rows.dropFirst().first(where: { Array($0.prefix(2)) == key }) else {
                mismatches.append("README.md: no row for \(label(point))"); continue
            }
            for (column, published) in zip(columns, row) where published != column.value(point) {
                mismatches.append("README.md, \(label(point)), \(column.heading): published \(published), the code gives \(column.value(point))")
            }
        }
        if mismatches.isEmpty && String(readme[begin.lowerBound..<end.upperBound]) != PublishedFigures.readmeBlock(table) {
            mismatches.append("README.md: the simulator table's text differs from what the code writes (every figure agrees)")
        }
        return mismatches
    }

    static func compareResults(_ root: Any, table: [PublishedFigures.Point], sweep: [PublishedFigures.Point]) -> [String] {
        guard let simulator = (root as? [String: Any])?["simulator"] as? [String: Any] else {
            return ["bench/results.json: no simulator member"]
        }
        var mismatches: [String] = []
        for (name, points) in [("table", table), ("sweep", sweep)] {
            let published = simulator[name] as? [[String: Any]] ?? []
            for point in points {
                guard let cell = published.first(where: { number($0["n"]) == Double(point.count) && number($0["batch"]) == Double(point.batch)
                                                          && number($0["p"]) == Double(PublishedFigures.decimal(point.p, 2)) }) else {
                    mismatches.append("bench/results.json, simulator.\(name): no entry for \(label(point))"); continue
                }
                for column in PublishedFigures.columns where column.key != "size" {
                    let expected = column.value(point)
                    let value = cell[column.key]
                    let agrees: Bool
                    switch value {
                    case let flag as Bool where column.key == "passed": agrees = flag == point.passed
                    case is NSNull: agrees = expected == "-"
                    default: agrees = number(value).map { Double(expected) == $0 } ?? false
                    }
                    if !agrees {
                        mismatches.append("bench/results.json, simulator.\(name), \(label(point)), \(column.key): published \(value.map { "\($0)" } ?? "nothing"), the code gives \(expected)")
                    }
                }
            }
        }
        return mismatches
    }

    /// A JSON number as Foundation hands it over (NSNumber), or as a Swift literal.
    static func number(_ value: Any?) -> Double? {
        switch value {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }

    static func compareCSV(_ csv: String, _ sweep: [PublishedFigures.Point]) -> [String] {
        let lines = csv.split(separator: "\n").map { $0.components(separatedBy: ",") }
        let expected = PublishedFigures.csv(sweep).split(separator: "\n").map { $0.components(separatedBy: ",") }
        guard let header = lines.first, header == expected.first else {
            return ["bench/loss-sweep.csv: the columns are \(lines.first ?? []), the code writes \(expected.first ?? [])"]
        }
        var mismatches: [String] = []
        let pColumn = header.firstIndex(of: "p")!
        for (point, row) in zip(sweep, expected.dropFirst()) {
            guard let published = lines.dropFirst().first(where: { $0.count > pColumn && $0[pColumn] == row[pColumn] }) else {
                mismatches.append("bench/loss-sweep.csv: no row for \(label(point))"); continue
            }
            for (key, (a, b)) in zip(header, zip(published, row)) where a != b {
                mismatches.append("bench/loss-sweep.csv, \(label(point)), \(key): published \(a), the code gives \(b)")
            }
        }
        if lines.count != expected.count { mismatches.append("bench/loss-sweep.csv: \(lines.count - 1) rows, the code writes \(expected.count - 1)") }
        return mismatches
    }

    // MARK: Running

    static func outcomes(_ runs: [LossRun]) async -> [LossRun: LossRun.Outcome] {
        let outcomes = await OwnThreads.map(runs) { $0.run() }
        return Dictionary(zip(runs, outcomes), uniquingKeysWith: { a, _ in a })
    }
}
