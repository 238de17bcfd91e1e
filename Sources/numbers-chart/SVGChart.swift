import NumbersReporting

/// The time–sequence chart as hand-written SVG 1.1: x = time, y = sequence index, like
/// tcptrace's or Wireshark's stream graph. Colours are flat and marks drawn with crisp edges, so
/// each series keeps its exact colour on screen (the rendering test looks for them).
struct SVGChart {
    enum Palette {
        static let firstSend = "#1f6fd0"
        static let retransmission = "#f08000"
        static let loss = "#e00000"
        static let acknowledged = "#10a040"
        static let probe = "#8020c0"
        static let outage = "#d8d8d8"
        static let axis = "#000000"
        static let grid = "#eeeeee"
    }

    var width = 1000.0
    var height = 600.0
    var title = "Time–sequence chart"
    let left = 90.0, right = 200.0, top = 40.0, bottom = 55.0

    func render(_ data: ChartData) -> String {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let xMax = max(data.duration, 1e-3) * 1.02
        let yMax = max(data.total ?? 1, 1)
        let useMilliseconds = xMax < 2
        func x(_ t: Double) -> Double { left + t / xMax * plotWidth }
        func y(_ i: Double) -> Double { top + plotHeight - i / yMax * plotHeight }

        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
        <title>\(escaped(title))</title>
        <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>
        <text x="\(f(left))" y="24" font-size="15">\(escaped(title))</text>

        """
        // Outages first, under everything.
        svg += "<g id=\"outages\" fill=\"\(Palette.outage)\" shape-rendering=\"crispEdges\">\n"
        for o in data.outages {
            let from = x(min(o.from, xMax)), to = x(min(o.to, xMax))
            svg += "<rect x=\"\(f(from))\" y=\"\(f(top))\" width=\"\(f(max(to - from, 1)))\" height=\"\(f(plotHeight))\"/>\n"
        }
        svg += "</g>\n"

        // Grid and axes with ticks.
        let xStep = Self.niceStep(xMax / 8), yStep = Self.niceStep(yMax / 8)
        svg += "<g id=\"axes\" stroke=\"\(Palette.axis)\" shape-rendering=\"crispEdges\">\n"
        var tick = 0.0
        while tick <= xMax + xStep * 1e-9 {
            svg += "<line x1=\"\(f(x(tick)))\" y1=\"\(f(top))\" x2=\"\(f(x(tick)))\" y2=\"\(f(top + plotHeight))\" stroke=\"\(Palette.grid)\"/>\n"
            svg += "<line x1=\"\(f(x(tick)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x(tick)))\" y2=\"\(f(top + plotHeight + 5))\"/>\n"
            let label = useMilliseconds ? Self.number(tick * 1000) : Self.number(tick)
            svg += "<text x=\"\(f(x(tick)))\" y=\"\(f(top + plotHeight + 19))\" text-anchor=\"middle\" stroke=\"none\">\(label)</text>\n"
            tick += xStep
        }
        tick = 0
        while tick <= yMax + yStep * 1e-9 {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(tick)))\" stroke=\"\(Palette.grid)\"/>\n"
            svg += "<line x1=\"\(f(left - 5))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left))\" y2=\"\(f(y(tick)))\"/>\n"
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\" stroke=\"none\">\(Self.grouped(tick))</text>\n"
            tick += yStep
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\"/>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\"/>\n"
        svg += "</g>\n"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">time (\(useMilliseconds ? "ms" : "s"))</text>\n"
        svg += "<text transform=\"translate(20 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">sequence index (numbers)</text>\n"

        // The cumulative ACK as a step line.
        if !data.acknowledged.isEmpty {
            var points = "\(f(x(0))),\(f(y(0)))"
            var last = 0.0
            for p in data.acknowledged {
                points += " \(f(x(p.t))),\(f(y(last))) \(f(x(p.t))),\(f(y(p.index)))"
                last = p.index
            }
            svg += "<polyline id=\"acknowledged\" fill=\"none\" stroke=\"\(Palette.acknowledged)\" stroke-width=\"2\" shape-rendering=\"crispEdges\" points=\"\(points)\"/>\n"
        }
        // Sends: a vertical bar over the datagram's index range (at least 4 px tall to be seen).
        func spans(_ id: String, _ items: [ChartData.Span], _ colour: String) -> String {
            var g = "<g id=\"\(id)\" stroke=\"\(colour)\" stroke-width=\"3\" shape-rendering=\"crispEdges\">\n"
            for s in items {
                let y1 = y(s.from), y2 = min(y(s.to), y1 - 4)
                g += "<line x1=\"\(f(x(s.t)))\" y1=\"\(f(y1))\" x2=\"\(f(x(s.t)))\" y2=\"\(f(y2))\"/>\n"
            }
            return g + "</g>\n"
        }
        svg += spans("first-sends", data.firstSends, Palette.firstSend)
        svg += spans("retransmissions", data.retransmissions, Palette.retransmission)
        // Losses: an × at the lost range's middle.
        svg += "<g id=\"losses\" stroke=\"\(Palette.loss)\" stroke-width=\"2.5\">\n"
        for s in data.losses {
            let cx = x(s.t), cy = y((s.from + s.to) / 2)
            svg += "<path d=\"M\(f(cx - 5)) \(f(cy - 5))L\(f(cx + 5)) \(f(cy + 5))M\(f(cx - 5)) \(f(cy + 5))L\(f(cx + 5)) \(f(cy - 5))\"/>\n"
        }
        svg += "</g>\n"
        // Probes: a diamond on the ACK line.
        svg += "<g id=\"probes\" fill=\"\(Palette.probe)\" shape-rendering=\"crispEdges\">\n"
        for p in data.probes {
            let cx = x(p.t), cy = y(p.index)
            svg += "<rect x=\"\(f(cx - 5))\" y=\"\(f(cy - 5))\" width=\"10\" height=\"10\"/>\n"
        }
        svg += "</g>\n"

        // Legend, with counts.
        let lx = left + plotWidth + 20
        var ly = top + 10
        svg += "<g id=\"legend\" shape-rendering=\"crispEdges\">\n"
        func entry(_ label: String, _ mark: String) {
            svg += mark + "<text x=\"\(f(lx + 26))\" y=\"\(f(ly + 4))\">\(escaped(label))</text>\n"
            ly += 24
        }
        entry("first sends (\(data.firstSends.count))", "<line x1=\"\(f(lx + 8))\" y1=\"\(f(ly - 7))\" x2=\"\(f(lx + 8))\" y2=\"\(f(ly + 7))\" stroke=\"\(Palette.firstSend)\" stroke-width=\"3\"/>")
        entry("retransmissions (\(data.retransmissions.count))", "<line x1=\"\(f(lx + 8))\" y1=\"\(f(ly - 7))\" x2=\"\(f(lx + 8))\" y2=\"\(f(ly + 7))\" stroke=\"\(Palette.retransmission)\" stroke-width=\"3\"/>")
        entry("losses (\(data.losses.count))", "<path d=\"M\(f(lx + 3)) \(f(ly - 5))L\(f(lx + 13)) \(f(ly + 5))M\(f(lx + 3)) \(f(ly + 5))L\(f(lx + 13)) \(f(ly - 5))\" stroke=\"\(Palette.loss)\" stroke-width=\"2.5\"/>")
        entry("cumulative ACK", "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 18))\" y2=\"\(f(ly))\" stroke=\"\(Palette.acknowledged)\" stroke-width=\"2\"/>")
        entry("probes (\(data.probes.count))", "<rect x=\"\(f(lx + 3))\" y=\"\(f(ly - 5))\" width=\"10\" height=\"10\" fill=\"\(Palette.probe)\"/>")
        entry("outages (\(data.outages.count))", "<rect x=\"\(f(lx))\" y=\"\(f(ly - 7))\" width=\"18\" height=\"14\" fill=\"\(Palette.outage)\"/>")
        if let tag = data.tag { entry("tag \(tag)", "") }
        if let total = data.total { entry("n = \(Self.grouped(total))", "") }
        svg += "</g>\n</svg>\n"
        return svg
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        for m in [1.0, 2, 5, 10] where power * m >= raw { return power * m }
        return power * 10
    }

    static func number(_ v: Double) -> String {
        let rounded = (v * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// An index with thousands separators: 20,000.
    static func grouped(_ v: Double) -> String {
        var digits = String(Int(v.rounded()))
        var out = ""
        while digits.count > 3 { out = "," + digits.suffix(3) + out; digits.removeLast(3) }
        return digits + out
    }

    private func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    private func escaped(_ s: String) -> String { XMLText.escaped(s) }
}
