import Glibc
import NumbersCLI
import NumbersProtocol
import NumbersReporting
import NumbersTransport

/// Our server behind a real bottleneck: two network namespaces joined by a veth pair, and on the
/// server's side `tc qdisc … tbf rate R burst 16kbit limit L` (a link of R with a drop-tail queue
/// of L bytes). Measures goodput (numbers delivered per second over the link rate) and DATA sent
/// over the minimum, alone, beside one iperf3 TCP flow, ten clients at once (Jain's index), and at
/// other rates and queue sizes.
struct BottleneckOptions {
    var parts: [String] = ["alone", "tcp", "ten", "grid"]
    var count: UInt32 = 6_000_000
    var runs = 5
    var control = "model"
    var tcpSeconds = 10
    var serverPath = ""
    var clientPath = ""
}

/// One measured configuration: medians over the runs.
struct BottleneckPoint {
    var part: String
    var rateBits: UInt64
    var queueBytes: Int
    var clients: Int
    var count: UInt32
    /// Numbers' bits per second over the link rate, per run (all clients together).
    var goodput: [Double] = []
    var sentOverMinimum: [Double] = []
    var jain: [Double] = []
    /// With iperf3 beside: each flow's share of the link over the overlap.
    var oursShare: Double?
    var tcpShare: Double?
    var failures = 0

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("part", .string(part)), ("rate_mbit", .number(Double(rateBits) / 1e6, places: 0)), ("queue_bytes", .int(queueBytes)),
            ("clients", .int(clients)), ("n", .int(Int(count))), ("runs", .int(goodput.count)), ("failures", .int(failures)),
            ("goodput_over_link", .number(median(goodput), places: 3)),
            ("sent_over_min", .number(median(sentOverMinimum), places: 3)),
        ]
        if clients > 1 { fields.append(("jain", .number(median(jain), places: 3))) }
        if let oursShare { fields.append(("ours_share", .number(oursShare, places: 3))) }
        if let tcpShare { fields.append(("tcp_share", .number(tcpShare, places: 3))) }
        return .object(fields)
    }

    var line: String {
        var text = column(part, 6) + column("\(Double(rateBits) / 1e6)", 8) + column(grouped(queueBytes), 11) + column("\(clients)", 8)
            + column(grouped(Int(count)), 11) + column(goodput.isEmpty ? "-" : fixed(median(goodput), 3), 9)
            + column(sentOverMinimum.isEmpty ? "-" : fixed(median(sentOverMinimum), 3), 10)
            + column(clients > 1 && !jain.isEmpty ? fixed(median(jain), 3) : "-", 7)
        if let oursShare, let tcpShare { text += "  ours \(fixed(oursShare, 2)) / TCP \(fixed(tcpShare, 2)) of the link" }
        if failures > 0 { text += "  (\(failures) failed)" }
        return text
    }
}

/// The two namespaces and the shaped veth pair; deleted on deinit.
final class BottleneckPath {
    let server: String
    let client: String
    static let serverAddress = "10.77.0.1"
    static let clientAddress = "10.77.0.2"
    private let serverDevice = "nbv0"

    init() throws(BenchError) {
        guard geteuid() == 0 else { throw BenchError("the bottleneck benchmark needs root (network namespaces and tc)") }
        guard (try? numbers_bench.run(["tc", "-V"]))?.status == 0 else { throw BenchError("the bottleneck benchmark needs tc (Debian package iproute2)") }
        server = "nbench-bs-\(getpid())"
        client = "nbench-bc-\(getpid())"
        do {
            try runChecked(["ip", "netns", "add", server])
            try runChecked(["ip", "netns", "add", client])
            try runChecked(["ip", "link", "add", serverDevice, "netns", server, "type", "veth", "peer", "name", "nbv1", "netns", client])
            try runChecked(["ip", "-n", server, "addr", "add", "\(Self.serverAddress)/24", "dev", serverDevice])
            try runChecked(["ip", "-n", client, "addr", "add", "\(Self.clientAddress)/24", "dev", "nbv1"])
            for (ns, device) in [(server, serverDevice), (client, "nbv1")] {
                try runChecked(["ip", "-n", ns, "link", "set", device, "up"])
                try runChecked(["ip", "-n", ns, "link", "set", "lo", "up"])
                // No segmentation offload: TCP's segments meet the queue one by one, as ours do.
                _ = try? run(["ip", "netns", "exec", ns, "ethtool", "-K", device, "tso", "off", "gso", "off", "gro", "off"])
            }
        } catch {
            remove()
            throw BenchError("cannot set up the namespaces (needs iproute2): \(error)")
        }
    }

    deinit { remove() }

    private func remove() {
        _ = try? run(["ip", "netns", "del", server])
        _ = try? run(["ip", "netns", "del", client])
    }

    /// The link: `rate` bits per second out of the server's side, a drop-tail queue of `limit` bytes.
    func shape(rateBits: UInt64, limit: Int) throws(BenchError) {
        try runChecked(["ip", "netns", "exec", server, "tc", "qdisc", "replace", "dev", serverDevice, "root", "tbf",
                        "rate", "\(rateBits / 1_000)kbit", "burst", "16kbit", "limit", "\(limit)"])
    }

    func inServer(_ arguments: [String]) -> [String] { ["ip", "netns", "exec", server] + arguments }
    func inClient(_ arguments: [String]) -> [String] { ["ip", "netns", "exec", client] + arguments }
}

enum BottleneckBench {
    static let port = 9_000
    static let iperfPort = 5_201

    static func run(options: BottleneckOptions) throws(BenchError) -> [BottleneckPoint] {
        for path in [options.serverPath, options.clientPath] where !isExecutable(path) {
            throw BenchError("no executable at \(path) (build all products, or pass -server/-client)")
        }
        let path = try BottleneckPath()
        let log = temporaryPath("bottleneck-server")
        defer { unlink(log) }
        let server = try ChildProcess(path.inServer([options.serverPath, "-host", BottleneckPath.serverAddress, "-port", "\(port)",
                                                     "-interval", "0", "-batch", "\(Limits.maxNumbersPerDatagram)", "-cc", options.control]),
                                      outputPath: log)
        defer { _ = server.stop() }
        try server.waitUntilBound(port: UInt16(port), tcp: false)
        let session = SessionLog(server: server)

        var points: [BottleneckPoint] = []
        let link: UInt64 = 50_000_000
        if options.parts.contains("alone") {
            try path.shape(rateBits: link, limit: 60_000)
            points.append(try measure("alone", path: path, log: session, rate: link, queue: 60_000, clients: 1, count: options.count, options: options))
        }
        if options.parts.contains("tcp") {
            try path.shape(rateBits: link, limit: 60_000)
            points.append(try besideTCP(path: path, log: session, rate: link, options: options))
        }
        if options.parts.contains("ten") {
            try path.shape(rateBits: link, limit: 60_000)
            points.append(try measure("ten", path: path, log: session, rate: link, queue: 60_000, clients: 10, count: options.count / 10, options: options))
        }
        if options.parts.contains("grid") {
            for rate in [10_000_000, 200_000_000] as [UInt64] {
                for queue in [10_000, 1_000_000] {
                    try path.shape(rateBits: rate, limit: queue)
                    // About the same few seconds at every rate.
                    let n = UInt32(min(UInt64(options.count) * rate / link, UInt64(UInt32.max / 2)))
                    points.append(try measure("grid", path: path, log: session, rate: rate, queue: queue, clients: 1, count: n, options: options))
                }
            }
        }
        return points
    }

    /// `clients` clients of `count` numbers at once, `options.runs` times.
    static func measure(_ part: String, path: BottleneckPath, log: SessionLog, rate: UInt64, queue: Int, clients: Int, count: UInt32,
                        options: BottleneckOptions) throws(BenchError) -> BottleneckPoint {
        var point = BottleneckPoint(part: part, rateBits: rate, queueBytes: queue, clients: clients, count: count)
        let minimum = Double((Int(count) + Limits.maxNumbersPerDatagram - 1) / Limits.maxNumbersPerDatagram)
        for attempt in 1...options.runs {
            let before = log.completed()
            let start = MonotonicClock.now()
            var children: [(process: ChildProcess, output: String, startedAt: Double)] = []
            for _ in 0..<clients {
                let output = temporaryPath("bottleneck-client")
                let startedAt = seconds(since: start)
                children.append((try ChildProcess(path.inClient([options.clientPath, "-host", BottleneckPath.serverAddress,
                                                                 "-port", "\(port)", "-n", "\(count)"]), outputPath: output), output, startedAt))
            }
            // Each client's own span, from its start to the moment it is seen to end: waiting for
            // them one by one would give a client that ended before an earlier one that one's end,
            // and hide how unequal their shares were.
            var endedAt = [Double?](repeating: nil, count: clients)
            while endedAt.contains(where: { $0 == nil }) && seconds(since: start) < 120 {
                for (i, child) in children.enumerated() where endedAt[i] == nil && !child.process.isRunning {
                    endedAt[i] = seconds(since: start)
                }
                sleep(seconds: 0.001)
            }
            var times: [Double] = []
            var passed = true
            for (i, (child, output, startedAt)) in children.enumerated() {
                times.append((endedAt[i] ?? seconds(since: start)) - startedAt)
                let status = child.wait(timeout: endedAt[i] == nil ? 0 : 5)
                if status != 0 || !child.output.contains("PASS") { passed = false; if status == nil { _ = child.stop(grace: 1) } }
                unlink(output)
            }
            let total = endedAt.map { $0 ?? seconds(since: start) }.max() ?? 0
            let sent = log.waitForCompletions(after: before, count: clients)
            guard passed, sent.count == clients else {
                point.failures += 1
                progress("bottleneck \(part) run \(attempt): FAILED")
                continue
            }
            let goodputs = times.map { Double(count) * 32 / $0 }
            point.goodput.append(Double(count) * 32 * Double(clients) / total / Double(rate))
            point.sentOverMinimum.append(Double(sent.reduce(0, +)) / (minimum * Double(clients)))
            let sum = goodputs.reduce(0, +), squares = goodputs.reduce(0) { $0 + $1 * $1 }
            point.jain.append(sum * sum / (Double(clients) * squares))
            progress("bottleneck \(part) \(Double(rate) / 1e6) Mbit/s queue \(queue) run \(attempt): \(fixed(total, 3)) s, goodput "
                     + "\(fixed(point.goodput.last!, 3)) of the link, sent/min \(fixed(point.sentOverMinimum.last!, 3))"
                     + (clients > 1 ? ", Jain \(fixed(point.jain.last!, 3))" : ""))
        }
        return point
    }

    /// One iperf3 TCP flow (server to client, through the same queue) for `tcpSeconds`; ours starts
    /// two seconds in. Each flow's share of the link is taken over the time both ran.
    static func besideTCP(path: BottleneckPath, log: SessionLog, rate: UInt64, options: BottleneckOptions) throws(BenchError) -> BottleneckPoint {
        var point = BottleneckPoint(part: "tcp", rateBits: rate, queueBytes: 60_000, clients: 1, count: options.count)
        guard (try? numbers_bench.run(["iperf3", "--version"]))?.status == 0 else {
            progress("bottleneck tcp: skipped, iperf3 is not installed (Debian package iperf3)")
            return point
        }
        let serverLog = temporaryPath("iperf3-server"), clientLog = temporaryPath("iperf3-client")
        defer { unlink(serverLog); unlink(clientLog) }
        let iperfServer = try ChildProcess(path.inServer(["iperf3", "-s", "-1", "-p", "\(iperfPort)", "-B", BottleneckPath.serverAddress]),
                                           outputPath: serverLog)
        defer { _ = iperfServer.stop(grace: 1) }
        try iperfServer.waitUntilBound(port: UInt16(iperfPort), tcp: true)
        let tcpStart = MonotonicClock.now()
        let iperf = try ChildProcess(path.inClient(["iperf3", "-c", BottleneckPath.serverAddress, "-p", "\(iperfPort)", "-R",
                                                    "-t", "\(options.tcpSeconds)", "-i", "0.5", "-f", "k", "--forceflush"]),
                                     outputPath: clientLog)
        sleep(seconds: 2)
        let before = log.completed()
        let oursStart = seconds(since: tcpStart)
        let (elapsed, status, output) = try TCPBaseline.timed(path.inClient([options.clientPath, "-host", BottleneckPath.serverAddress,
                                                                              "-port", "\(port)", "-n", "\(options.count)"]), timeout: 120)
        let oursEnd = oursStart + elapsed
        _ = iperf.wait(timeout: Double(options.tcpSeconds) + 10)
        let sent = log.waitForCompletions(after: before, count: 1)
        guard status == 0, output.contains("PASS"), let first = sent.first else {
            point.failures += 1
            return point
        }
        let minimum = Double((Int(options.count) + Limits.maxNumbersPerDatagram - 1) / Limits.maxNumbersPerDatagram)
        point.sentOverMinimum = [Double(first) / minimum]
        let overlapEnd = min(oursEnd, Double(options.tcpSeconds))
        point.goodput = [Double(options.count) * 32 / elapsed / Double(rate)]
        // Ours over the overlap, at its average pace (the whole transfer when it ends before TCP).
        point.oursShare = point.goodput[0]
        point.tcpShare = tcpBits(iperf.output, from: oursStart, to: overlapEnd) / (overlapEnd - oursStart) / Double(rate)
        progress("bottleneck tcp: ours \(fixed(elapsed, 3)) s from \(fixed(oursStart, 2)) s; over the overlap ours "
                 + "\(fixed(point.oursShare!, 2)), TCP \(fixed(point.tcpShare!, 2)) of the link")
        return point
    }

    /// TCP bits received between two instants, from iperf3's interval lines
    /// (`[  5]   2.00-2.50   sec  2.88 MBytes  48213 Kbits/sec`), pro rata for partial intervals.
    static func tcpBits(_ text: String, from start: Double, to end: Double) -> Double {
        var bits = 0.0
        for line in text.split(separator: "\n") where line.contains("Kbits/sec") && !line.contains("sender") && !line.contains("receiver") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let span = words.first(where: { $0.contains("-") && $0.first?.isNumber == true }),
                  let rateIndex = words.firstIndex(of: "Kbits/sec"), rateIndex > 0, let kbits = Double(words[rateIndex - 1]) else { continue }
            let ends = span.split(separator: "-").compactMap { Double($0) }
            guard ends.count == 2, ends[1] > ends[0] else { continue }
            let overlap = max(0, min(ends[1], end) - max(ends[0], start))
            bits += kbits * 1_000 * overlap
        }
        return bits
    }
}

/// The server's per-session lines (`session …: completed, n=…: D DATA sent …`): DATA sent per transfer.
struct SessionLog {
    let server: ChildProcess

    func completed() -> [Int] {
        server.output.split(separator: "\n").compactMap { line -> Int? in
            guard line.contains(": completed, n="), let range = line.range(of: " DATA sent") else { return nil }
            return Int(line[..<range.lowerBound].split(separator: " ").last ?? "")
        }
    }

    /// DATA counts of the transfers completed since `before`, waiting briefly for the lines.
    func waitForCompletions(after before: [Int], count: Int) -> [Int] {
        for _ in 0..<200 {
            let now = completed()
            if now.count >= before.count + count { return Array(now[before.count...]) }
            sleep(seconds: 0.01)
        }
        return Array(completed().dropFirst(before.count))
    }
}

extension BottleneckBench {
    static func table(_ points: [BottleneckPoint]) -> String {
        (["part  Mbit/s    queue B  clients          n  goodput  sent/min   Jain"] + points.map(\.line)).joined(separator: "\n")
    }
}

func makeBottleneckCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print the result as JSON")
    let parts = flags.string("parts", default: "alone,tcp,ten,grid", usage: "comma-separated `parts`: alone, tcp, ten, grid",
                             validate: { text in
                                 let bad = text.split(separator: ",").filter { !["alone", "tcp", "ten", "grid"].contains(String($0)) }
                                 return bad.isEmpty ? nil : "unknown part \(bad[0])"
                             })
    let count = countFlag(flags, default: 6_000_000, usage: "numbers per transfer at 50 Mbit/s (divided among ten clients; scaled with the rate in the grid)")
    let runs = runsFlag(flags, default: 5, most: 50, usage: "transfers per configuration (medians are reported)")
    let control = congestionControlFlag(flags, usage: "the server's -cc")
    let server = serverPathFlag(flags)
    let client = clientPathFlag(flags)
    return Command(flags: flags) {
        var options = BottleneckOptions()
        options.parts = parts.value.split(separator: ",").map(String.init)
        options.count = count.value; options.runs = runs.value; options.control = control.value
        options.serverPath = server.value; options.clientPath = client.value
        do {
            let points = try BottleneckBench.run(options: options)
            emit(.array(points.map(\.json)), asJSON: json.value, text: BottleneckBench.table(points))
            return 0
        } catch {
            printError("\(program) bottleneck: \(error)")
            return 1
        }
    }
}
