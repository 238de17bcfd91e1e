import Glibc
import NumbersProtocol
import NumbersSimulation

/// The loss sweep drawn as an SVG chart: overhead and completion time against loss, each beside
/// its ideal. Drawn from the published points alone, so the chart is as deterministic as they are.
enum SweepChart {
    static func svg(_ points: [PublishedFigures.Point]) -> String {
        let xs = points.map(\.p)
        let xMax = max((xs.max() ?? 0.5), 0.1)
        let xTicks = (0...Int((xMax * 10 + 1e-6).rounded(.down))).map { Double($0) / 10 }
        let overheadMax = max(points.map(\.sentOverMinimum).max() ?? 1, points.map(\.idealSentOverMinimum).max() ?? 1)
        let overheadTop = (overheadMax * 1.08 * 4).rounded(.up) / 4
        let overhead = ChartPanel(
            title: "Overhead: DATA sent ÷ minimum",
            xLabel: "random loss p (each direction)", yLabel: "datagrams sent per datagram needed",
            xRange: 0...xMax, yRange: 1...overheadTop, xTicks: xTicks,
            yTicks: SVGChart.niceTicks(1...overheadTop, target: 6),
            xTickFormat: { fixed($0, 1) }, yTickFormat: { fixed($0, 2) },
            series: [
                // Measured first, so the ideal stays visible where the two coincide.
                ChartSeries(name: "measured", color: "#1f77b4", points: points.map { ($0.p, $0.sentOverMinimum) }),
                ChartSeries(name: "ideal 1/(1−p)", color: "#222222", dashed: true, markers: false,
                            points: (0...Int((xMax * 100).rounded(.down))).map { Double($0) / 100 }.map { ($0, 1 / (1 - $0)) }),
            ])

        let measured = points.compactMap { point in point.meanSeconds.map { (point.p, $0) } }
        let times = measured.map(\.1) + points.map(\.idealSeconds)
        let positive = times.filter { $0 > 0 }
        let lo = SVGChart.pow10(floor(log10(max(positive.min() ?? 0.001, 1e-4))))
        let hi = SVGChart.pow10(ceil(log10(max(positive.max() ?? 1, lo * 10) * 1.01)))
        var decades: [Double] = []
        var d = lo
        while d <= hi * 1.0001 { decades.append(d); d *= 10 }
        let time = ChartPanel(
            title: "Completion time (virtual)",
            xLabel: "random loss p (each direction)", yLabel: "seconds to a verified PASS (log scale)",
            xRange: 0...xMax, yRange: lo...hi, logY: true, xTicks: xTicks, yTicks: decades,
            xTickFormat: { fixed($0, 1) }, yTickFormat: { formatSeconds($0) },
            series: [
                ChartSeries(name: "measured", color: "#d62728", points: measured.map { ($0.0, max($0.1, lo)) }),
                ChartSeries(name: "ideal selective repeat", color: "#222222", dashed: true, markers: false,
                            points: points.map { ($0.p, $0.idealSeconds) }),
            ])

        let first = points.first
        let subtitle = "n = \(grouped(Int(first?.count ?? 0))), \(first?.batch ?? 1) number\(first?.batch == 1 ? "" : "s") per datagram, full speed, "
            + "random loss p on every datagram both ways, \(fixed((first?.roundTrip.seconds ?? 0) * 1_000, 0)) ms round trip, unlimited bandwidth\n"
            + "deterministic simulation (virtual time), mean of seeds 1 to \(first?.seeds ?? 0)"
        return SVGChart.render(title: "Numbers Station under random loss", subtitle: subtitle, panels: [overhead, time])
    }

    static func formatSeconds(_ s: Double) -> String {
        if s >= 1 { return fixed(s, 0) + " s" }
        if s >= 0.001 { return fixed(s * 1_000, 0) + " ms" }
        return fixed(s * 1e6, 0) + " µs"
    }
}
