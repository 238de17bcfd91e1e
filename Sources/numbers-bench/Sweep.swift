import Glibc
import NumbersProtocol
import NumbersSimulation

/// The loss sweep: the efficiency measurement at p = 0, 0.05, …, 0.6, written as CSV and drawn as
/// an SVG chart (overhead and completion time against loss, each beside its ideal).
struct SweepOptions {
    var losses: [Double] = (0...12).map { Double($0) * 0.05 }
    var efficiency = EfficiencyOptions()
    var csvPath = "bench/loss-sweep.csv"
    var svgPath = "bench/loss-sweep.svg"
}

enum Sweep {
    static func csv(_ points: [EfficiencyPoint], options: EfficiencyOptions) -> String {
        var lines = ["p,ideal_sent_over_min,sent_over_min,over_ideal_pct,ideal_seconds,seconds,wall_s,data_sent,min_datagrams,acks_sent,batch,n,delay_ms,seeds,passed"]
        for point in points {
            let ideal = idealSeconds(p: point.p, options: options)
            lines.append([fixed(point.p, 2), fixed(point.ideal, 4), fixed(point.sentOverMin, 4), fixed(point.excess * 100, 3),
                          ideal.map { fixed($0, 4) } ?? "", fixed(point.virtualSeconds, 4), fixed(point.wallSeconds, 3),
                          fixed(point.dataSent, 1), String(point.minimum), fixed(point.acksSent, 1), String(point.batch),
                          String(options.count), fixed(options.delay.seconds * 1_000, 1), String(point.seeds),
                          point.allPassed ? "true" : "false"].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Ideal selective repeat's completion time on the same path (`IdealSelectiveRepeat` gives the
    /// model). Nil without a delay: there is no round trip to count in.
    static func idealSeconds(p: Double, options: EfficiencyOptions) -> Double? {
        guard options.delay > .zero else { return nil }
        return IdealSelectiveRepeat(count: Int(options.count), batch: options.batch, window: Int(options.window))
            .seconds(p: p, roundTrip: 2 * options.delay.seconds)
    }

    static func svg(_ points: [EfficiencyPoint], options: EfficiencyOptions, machine: String) -> String {
        let xs = points.map(\.p)
        let xMax = max((xs.max() ?? 0.6), 0.1)
        let xTicks = (0...Int((xMax * 10 + 1e-6).rounded(.down))).map { Double($0) / 10 }
        let overheadMax = max(points.map(\.sentOverMin).max() ?? 1, points.map(\.ideal).max() ?? 1)
        let overheadTop = (overheadMax * 1.08 * 4).rounded(.up) / 4
        let overhead = ChartPanel(
            title: "Overhead: DATA sent ÷ minimum",
            xLabel: "random loss p (each direction)", yLabel: "datagrams sent per datagram needed",
            xRange: 0...xMax, yRange: 1...overheadTop, xTicks: xTicks,
            yTicks: SVGChart.niceTicks(1...overheadTop, target: 6),
            xTickFormat: { fixed($0, 1) }, yTickFormat: { fixed($0, 2) },
            series: [
                // Measured first, so the ideal stays visible where the two coincide.
                ChartSeries(name: "measured", color: "#1f77b4", points: points.map { ($0.p, $0.sentOverMin) }),
                ChartSeries(name: "ideal 1/(1−p)", color: "#222222", dashed: true, markers: false,
                            points: (0...Int((xMax * 100).rounded(.down))).map { Double($0) / 100 }.map { ($0, 1 / (1 - $0)) }),
            ])

        let idealTimes = points.compactMap { point in idealSeconds(p: point.p, options: options).map { (point.p, $0) } }
        let times = points.map(\.virtualSeconds) + idealTimes.map(\.1)
        let positive = times.filter { $0 > 0 }
        let lo = SVGChart.pow10(floor(log10(max(positive.min() ?? 0.001, 1e-4))))
        let hi = SVGChart.pow10(ceil(log10(max(positive.max() ?? 1, lo * 10) * 1.01)))
        var decades: [Double] = []
        var d = lo
        while d <= hi * 1.0001 { decades.append(d); d *= 10 }
        var timeSeries = [ChartSeries(name: "measured", color: "#d62728", points: points.map { ($0.p, max($0.virtualSeconds, lo)) })]
        if !idealTimes.isEmpty {
            timeSeries.append(ChartSeries(name: "ideal selective repeat (1 RTT per round)", color: "#222222", dashed: true, markers: false,
                                          points: idealTimes.map { ($0.0, $0.1) }))
        }
        let time = ChartPanel(
            title: "Completion time (virtual)",
            xLabel: "random loss p (each direction)", yLabel: "seconds to a verified PASS (log scale)",
            xRange: 0...xMax, yRange: lo...hi, logY: true, xTicks: xTicks, yTicks: decades,
            xTickFormat: { fixed($0, 1) }, yTickFormat: { formatSeconds($0) },
            series: timeSeries)

        let path = options.delay > .zero ? "\(fixed(options.delay.seconds * 2_000, 0)) ms round trip, unlimited bandwidth" : "zero-delay links"
        let subtitle = "n = \(grouped(Int(options.count))), \(options.batch) number\(options.batch == 1 ? "" : "s") per datagram, full speed, "
            + "random loss p on every datagram both ways, \(path)\n"
            + "deterministic simulation (virtual time), mean of \(options.seeds.count) seed\(options.seeds.count == 1 ? "" : "s"); simulated on \(machine)"
        return SVGChart.render(title: "Numbers Station under random loss", subtitle: subtitle, panels: [overhead, time])
    }

    static func formatSeconds(_ s: Double) -> String {
        if s >= 1 { return fixed(s, 0) + " s" }
        if s >= 0.001 { return fixed(s * 1_000, 0) + " ms" }
        return fixed(s * 1e6, 0) + " µs"
    }

    static func run(options: SweepOptions, machine: String) throws(BenchError) -> [EfficiencyPoint] {
        let points = Efficiency.run(losses: options.losses, options: options.efficiency)
        try writeTextFile(options.csvPath, csv(points, options: options.efficiency))
        try writeTextFile(options.svgPath, svg(points, options: options.efficiency, machine: machine))
        progress("sweep: wrote \(options.csvPath) and \(options.svgPath)")
        return points
    }
}
