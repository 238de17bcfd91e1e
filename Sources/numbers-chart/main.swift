import Foundation
import NumbersCLI

let flags = FlagSet(program: "numbers-chart", summary: """
    Draws a time–sequence chart (SVG) of one transfer from the -trace files of its client, its \
    server, or both: x = time, y = sequence index; first sends, retransmissions and losses as \
    distinct marks, the client's cumulative ACK as a line, probes, and the simulator's outages \
    shaded. Usage: numbers-chart [flags] trace.jsonl...
    """, allowsPositionals: true)
let output = flags.string("o", default: "chart.svg", usage: "the SVG `file` to write")
let title = flags.string("title", default: "Time–sequence chart", usage: "the chart's title")
let tag = flags.uint32("tag", default: 0, usage: "draw the session with this tag (default: the client trace's, else the server's busiest)")
let width = flags.int("width", default: 1000, usage: "width in pixels", validate: { (300...10_000).contains($0) ? nil : "must be between 300 and 10000" })
let height = flags.int("height", default: 600, usage: "height in pixels", validate: { (200...10_000).contains($0) ? nil : "must be between 200 and 10000" })
let paths = flags.parseOrExit()
if paths.isEmpty { flags.failUsage("no trace files given (numbers-chart [flags] trace.jsonl...)") }

do {
    let traces = try paths.map { try Trace(path: $0) }
    let data = ChartData(traces: traces, tag: flags.isSet("tag") ? Int(tag.value) : nil)
    var chart = SVGChart()
    chart.width = Double(width.value)
    chart.height = Double(height.value)
    chart.title = title.value
    try chart.render(data).write(toFile: output.value, atomically: true, encoding: .utf8)
    print("numbers-chart: wrote \(output.value): \(data.firstSends.count) first sends, \(data.retransmissions.count) retransmissions, \(data.losses.count) losses, \(data.acknowledged.count) ACKs, \(data.probes.count) probes, \(data.outages.count) outages")
} catch {
    printError("numbers-chart: \(error)")
    exit(1)
}
