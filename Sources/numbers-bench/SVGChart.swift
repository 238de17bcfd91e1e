import Glibc
import NumbersReporting

/// A small hand-written SVG line chart: panels side by side, each with axes, ticks, grid, a legend
/// and any number of series. No dependencies; the output is plain text that renders in browsers
/// and on GitHub.
struct ChartSeries {
    var name: String
    var color: String
    var dashed = false
    var markers = true
    var points: [(x: Double, y: Double)]
}

struct ChartPanel {
    var title: String
    var xLabel: String
    var yLabel: String
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>
    var logY = false
    var xTicks: [Double]
    var yTicks: [Double]
    var xTickFormat: (Double) -> String = { fixed($0, 1) }
    var yTickFormat: (Double) -> String = { fixed($0, 2) }
    var series: [ChartSeries]
    /// Legend in the top-left (true) or bottom-right (false) corner of the plot area.
    var legendTopLeft = true
}

enum SVGChart {
    static let panelWidth = 480.0
    static let panelHeight = 380.0
    static let margin = (left: 70.0, right: 20.0, top: 40.0, bottom: 55.0)

    static func render(title: String, subtitle: String, panels: [ChartPanel]) -> String {
        let width = panelWidth * Double(panels.count)
        let height = panelHeight + 76
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
        font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(f(width / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\(escape(title))</text>

        """
        for (i, line) in subtitle.split(separator: "\n").enumerated() {
            out += "<text x=\"\(f(width / 2))\" y=\"\(f(44 + 16 * Double(i)))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555555\">\(escape(String(line)))</text>\n"
        }
        for (i, panel) in panels.enumerated() {
            out += renderPanel(panel, originX: Double(i) * panelWidth, originY: 76)
        }
        out += "</svg>\n"
        return out
    }

    private static func renderPanel(_ panel: ChartPanel, originX: Double, originY: Double) -> String {
        let left = originX + margin.left, right = originX + panelWidth - margin.right
        let top = originY + margin.top, bottom = originY + panelHeight - margin.bottom
        func x(_ v: Double) -> Double {
            left + (v - panel.xRange.lowerBound) / (panel.xRange.upperBound - panel.xRange.lowerBound) * (right - left)
        }
        func y(_ v: Double) -> Double {
            let (lo, hi, value) = panel.logY
                ? (log10(panel.yRange.lowerBound), log10(panel.yRange.upperBound), log10(max(v, panel.yRange.lowerBound)))
                : (panel.yRange.lowerBound, panel.yRange.upperBound, v)
            return bottom - (value - lo) / (hi - lo) * (bottom - top)
        }
        var out = "<g>\n"
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(originY + 22))\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        // Grid and ticks.
        let yTolerance = (panel.yRange.upperBound - panel.yRange.lowerBound) * 1e-9
        for t in panel.yTicks where t >= panel.yRange.lowerBound - yTolerance && t <= panel.yRange.upperBound + yTolerance {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y(t)))\" x2=\"\(f(right))\" y2=\"\(f(y(t)))\" stroke=\"#e5e5e5\"/>\n"
            out += "<line x1=\"\(f(left - 5))\" y1=\"\(f(y(t)))\" x2=\"\(f(left))\" y2=\"\(f(y(t)))\" stroke=\"#333333\"/>\n"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y(t) + 4))\" text-anchor=\"end\">\(escape(panel.yTickFormat(t)))</text>\n"
        }
        let xTolerance = (panel.xRange.upperBound - panel.xRange.lowerBound) * 1e-9
        for t in panel.xTicks where t >= panel.xRange.lowerBound - xTolerance && t <= panel.xRange.upperBound + xTolerance {
            out += "<line x1=\"\(f(x(t)))\" y1=\"\(f(top))\" x2=\"\(f(x(t)))\" y2=\"\(f(bottom))\" stroke=\"#f0f0f0\"/>\n"
            out += "<line x1=\"\(f(x(t)))\" y1=\"\(f(bottom))\" x2=\"\(f(x(t)))\" y2=\"\(f(bottom + 5))\" stroke=\"#333333\"/>\n"
            out += "<text x=\"\(f(x(t)))\" y=\"\(f(bottom + 19))\" text-anchor=\"middle\">\(escape(panel.xTickFormat(t)))</text>\n"
        }
        // Axes and labels.
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#333333\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#333333\"/>\n"
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 40))\" text-anchor=\"middle\">\(escape(panel.xLabel))</text>\n"
        let labelX = originX + 16, labelY = (top + bottom) / 2
        out += "<text x=\"\(f(labelX))\" y=\"\(f(labelY))\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(labelX)) \(f(labelY)))\">\(escape(panel.yLabel))</text>\n"
        // Series, clipped to the plot area.
        let clip = "clip\(Int(originX))"
        out += "<clipPath id=\"\(clip)\"><rect x=\"\(f(left))\" y=\"\(f(top - 4))\" width=\"\(f(right - left + 4))\" height=\"\(f(bottom - top + 8))\"/></clipPath>\n"
        out += "<g clip-path=\"url(#\(clip))\">\n"
        for s in panel.series where !s.points.isEmpty {
            let path = s.points.map { "\(f(x($0.x))),\(f(y($0.y)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"/>\n"
            if s.markers {
                for point in s.points {
                    out += "<circle cx=\"\(f(x(point.x)))\" cy=\"\(f(y(point.y)))\" r=\"3.5\" fill=\"\(s.color)\"/>\n"
                }
            }
        }
        out += "</g>\n"
        // Legend.
        let legendWidth = 12.0 + 7.0 * Double(panel.series.map(\.name.count).max() ?? 0) + 30
        let legendHeight = 18.0 * Double(panel.series.count) + 8
        let lx = panel.legendTopLeft ? left + 10 : right - legendWidth - 10
        let ly = panel.legendTopLeft ? top + 8 : bottom - legendHeight - 8
        out += "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(legendWidth))\" height=\"\(f(legendHeight))\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#cccccc\"/>\n"
        for (i, s) in panel.series.enumerated() {
            let rowY = ly + 16 + 18 * Double(i)
            out += "<line x1=\"\(f(lx + 8))\" y1=\"\(f(rowY - 4))\" x2=\"\(f(lx + 32))\" y2=\"\(f(rowY - 4))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            if s.markers { out += "<circle cx=\"\(f(lx + 20))\" cy=\"\(f(rowY - 4))\" r=\"3.5\" fill=\"\(s.color)\"/>\n" }
            out += "<text x=\"\(f(lx + 38))\" y=\"\(f(rowY))\">\(escape(s.name))</text>\n"
        }
        out += "</g>\n"
        return out
    }

    private static func f(_ v: Double) -> String { fixed(v, 1) }

    static func escape(_ s: String) -> String { XMLText.escaped(s) }

    /// Round-number ticks covering `range`: steps of 1, 2 or 5 × 10^k, about `target` of them.
    static func niceTicks(_ range: ClosedRange<Double>, target: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return [range.lowerBound] }
        let raw = span / Double(target)
        let magnitude = pow10(floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Double] = []
        var t = (range.lowerBound / step).rounded(.up) * step
        while t <= range.upperBound + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }

    static func pow10(_ k: Double) -> Double {
        var v = 1.0
        if k >= 0 { for _ in 0..<Int(k) { v *= 10 } } else { for _ in 0..<Int(-k) { v /= 10 } }
        return v
    }
}
