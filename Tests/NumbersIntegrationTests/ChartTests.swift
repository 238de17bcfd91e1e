import Foundation
import Glibc
import Testing

/// numbers-chart from the traces of a real lossy run with an outage, validated by xmllint and
/// rendered by a real browser (headless chromium); the screenshot's pixels must show every mark.
@Suite("numbers-chart: a time–sequence chart a browser renders", .serialized)
struct ChartTests {
    static let tools = [("chromium", "chromium"), ("xmllint", "libxml2-utils"), ("python3", "python3")]

    /// Counts the pixels of each colour in a PNG (8-bit RGB or RGBA, any filter), with the
    /// standard library's zlib only.
    static let pixelCounter = #"""
    import sys, zlib, struct, json
    data = open(sys.argv[1], 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    counts, nonwhite = {}, 0
    wanted = set(sys.argv[2:])
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(width):
            hexcolour = '#%02x%02x%02x' % tuple(line[x * bpp:x * bpp + 3])
            if hexcolour != '#ffffff': nonwhite += 1
            if hexcolour in wanted: counts[hexcolour] = counts.get(hexcolour, 0) + 1
        previous = line
    print(json.dumps({'width': width, 'height': height, 'nonwhite': nonwhite, 'counts': counts}))
    """#

    @Test("a lossy run with an outage: valid SVG, and chromium draws sends, retransmissions, losses, the ACK line, probes and the outage",
          .enabled(if: DebianTools.canRun(tools), DebianTools.skipComment(tools)), .timeLimit(.minutes(2)))
    func rendersInBrowser() async throws {
        if let missing = DebianTools.missing(Self.tools) { Issue.record("CI=true: \(missing)"); return }
        let directory = NSTemporaryDirectory() + "numbers-chart-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (serverTrace, clientTrace, svg, png) = (directory + "/server.jsonl", directory + "/client.jsonl",
                                                    directory + "/chart.svg", directory + "/chart.png")
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "1ms", "-batch", "20", "-quiet", "-trace", serverTrace,
                                                   "-dropRate", "0.08", "-failEvery", "150", "-goOfflineFor", "300ms", "-lossSeed", "3"])
        let run = try await runClient(group, port: server.port, ["-n", "4000", "-trace", clientTrace, "-dropRate", "0.05", "-lossSeed", "4"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")

        let chart = runCommand(try Executables.path(of: "numbers-chart"), ["-o", svg, serverTrace, clientTrace])
        #expect(chart.termination == .exited(0), "\(chart.output)")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        for id in ["first-sends", "retransmissions", "losses", "acknowledged", "probes", "outages", "legend"] {
            #expect(text.contains("id=\"\(id)\""), "the SVG has its \(id) group")
        }
        #expect(text.contains("time (ms)") && text.contains("sequence index (numbers)"), "axes carry their units")

        let lint = runCommand(DebianTools.find("xmllint")!, ["--noout", svg])
        #expect(lint.termination == .exited(0), "xmllint: \(lint.output)")

        let shot = runCommand(DebianTools.find("chromium")!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                             "--screenshot=\(png)", "--window-size=1000,600", "file://\(svg)"],
                              timeout: .seconds(60))
        #expect(shot.termination == .exited(0), "chromium: \(shot.output)")
        let palette = ["#1f6fd0": "first sends", "#f08000": "retransmissions", "#e00000": "losses",
                       "#10a040": "cumulative ACK", "#8020c0": "probes", "#d8d8d8": "outages"]
        let counted = runCommand(DebianTools.find("python3")!, ["-c", Self.pixelCounter, png] + palette.keys.sorted())
        #expect(counted.termination == .exited(0), "\(counted.output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(counted.output.utf8))
        let result = try #require(parsed as? [String: Any], "\(counted.output)")
        #expect(result["width"] as? Int == 1000 && result["height"] as? Int == 600)
        #expect((result["nonwhite"] as? Int ?? 0) > 20_000, "not blank: \(result)")
        let counts = result["counts"] as? [String: Int] ?? [:]
        for (colour, series) in palette {
            #expect((counts[colour] ?? 0) >= 20, "\(series) (\(colour)) drawn: \(counts[colour] ?? 0) pixels")
        }
    }

    @Test("one side's trace alone is charted from what that side saw; a file that is not a trace is refused by name")
    func oneSideAndBadInput() async throws {
        let directory = NSTemporaryDirectory() + "numbers-chart-sides-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "0", "-batch", "20", "-quiet", "-trace", directory + "/server.jsonl",
                                                   "-dropRate", "0.1", "-lossSeed", "5"])
        let run = try await runClient(group, port: server.port, ["-n", "2000", "-trace", directory + "/client.jsonl"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(await stop(server) == .exited(0))
        let chart = try Executables.path(of: "numbers-chart")

        let serverOnly = runCommand(chart, ["-o", directory + "/s.svg", directory + "/server.jsonl"])
        #expect(serverOnly.termination == .exited(0), "\(serverOnly.output)")
        #expect(serverOnly.output.contains("100 first sends") && !serverOnly.output.contains(" 0 losses"), "\(serverOnly.output)")
        let clientOnly = runCommand(chart, ["-o", directory + "/c.svg", directory + "/client.jsonl"])
        #expect(clientOnly.termination == .exited(0) && clientOnly.output.contains("retransmissions"), "\(clientOnly.output)")
        let svg = try String(contentsOfFile: directory + "/c.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("</svg>"))

        try "{\"not\":\"a trace\"}\n".write(toFile: directory + "/bad.jsonl", atomically: true, encoding: .utf8)
        let bad = runCommand(chart, ["-o", directory + "/b.svg", directory + "/bad.jsonl"])
        #expect(bad.termination == .exited(1) && bad.output.contains("bad.jsonl"), "\(bad.output)")
        let none = runCommand(chart, [])
        #expect(none.termination == .exited(2), "\(none.output)")
    }
}
