import Glibc
import NumbersCLI
import NumbersProtocol
import NumbersReporting
import NumbersTransport

/// `numbers-bench loss`: time to a verified transfer through real kernel loss, beside plain TCP
/// through the same rule in the same run. A network namespace of our own drops each packet
/// arriving on its loopback with probability p (`LossyNamespace`), so both directions lose p;
/// numbers-server runs at full speed (`-interval 0 -batch 294`).
struct KernelLossOptions {
    var losses: [Double] = [0.05, 0.1, 0.2, 0.3, 0.5]
    var sizes: [UInt32] = [65_535, 1_000_000]
    var runs = 7
    /// The most runs per side and cell, as many pairs as `PairedRatio` takes: 200 give a paired
    /// ratio whose 95% interval spans a few percent, at about six minutes for `-vsNone` over eight
    /// cells; 1,000 narrow a 65,535-number cell's to about ±2% (the four such cells: about 18
    /// minutes, most of it at p = 0.3).
    static let maxRuns = PairedRatio.maxPairs
    var timeout = 60.0
    /// Stop running TCP in a cell once more than half its runs timed out: its median, p90 and
    /// max are then timeouts whatever the rest do (the runs not made are reported as skipped).
    var stopDecidedTCP = true
    /// Run no TCP transfers at all (a comparison of our own controllers, say).
    var skipTCP = false
    /// Instead of TCP, alternate each transfer of ours with one from a second numbers-server at
    /// `-cc none` in the same namespace: a paired comparison of the controller with none, each
    /// run beside the other's, so that the machine's drift between two blocks of runs cancels.
    var versusNone = false
    /// The server's `-cc`; nil leaves numbers-server's default.
    var congestionControl: CongestionControl?
    var serverPath = ""
    var clientPath = ""
    var benchPath = ""

    /// numbers-server's flags beyond host and port, as run and as reported.
    var serverArguments: [String] {
        Self.fullSpeed + (congestionControl.map { ["-cc", $0.rawValue] } ?? [])
    }
    /// The second server's flags under `versusNone`.
    var noneServerArguments: [String] { Self.fullSpeed + ["-cc", CongestionControl.none.rawValue] }
    static let fullSpeed = ["-interval", "0", "-batch", "\(Limits.maxNumbersPerDatagram)"]
}

/// Issue 8's reference measurements of KCP in fast mode (nodelay 1, interval 10 ms, resend 2, no
/// congestion window, window 1024) through the same kind of namespace, one run per cell: printed
/// beside ours as constants, not measured here.
enum KCPReference {
    static let seconds: [UInt32: [Double: Double]] = [
        65_535: [0.1: 0.301, 0.2: 0.302, 0.3: 0.372, 0.5: 6.81],
        1_000_000: [0.05: 0.165, 0.1: 0.195, 0.2: 0.449, 0.3: 0.641, 0.5: 7.95],
    ]
    static func time(n: UInt32, p: Double) -> Double? { seconds[n]?.first { abs($0.key - p) < 1e-9 }?.value }
}

/// Several runs of one transfer: seconds to a verified finish, nil for a timeout or failure.
struct RunTimes {
    var runs: [Double?] = []
    var skipped = 0

    var finished: [Double] { runs.compactMap { $0 } }
    var timeouts: Int { runs.filter { $0 == nil }.count }
    /// Nearest rank over the runs made, a timeout counting as slower than any finish; nil when
    /// that rank is a timeout.
    func percentile(_ q: Double) -> Double? {
        guard !runs.isEmpty else { return nil }
        let sorted = runs.map { $0 ?? .infinity }.sorted()
        let value = sorted[max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1)]
        return value.isFinite ? value : nil
    }
    /// The median counts skipped runs as timeouts (they are skipped only once timeouts are the majority).
    var median: Double? {
        guard !runs.isEmpty else { return nil }
        let value = TCPPoint.summary(runs + Array(repeating: nil, count: skipped))
        return value
    }
    var p90: Double? { skipped > 0 ? nil : percentile(0.9) }
    var maximum: Double? { skipped > 0 ? nil : percentile(1) }

    var json: JSON {
        .object([
            ("median_s", .optional(median, places: 3)),
            ("p90_s", .optional(p90, places: 3)),
            ("max_s", .optional(maximum, places: 3)),
            ("timeouts", .int(timeouts)),
            ("skipped", .int(skipped)),
            ("runs_s", .array(runs.map { .optional($0, places: 3) })),
        ])
    }
}

struct KernelLossCell {
    var count: UInt32
    var p: Double
    var ours = RunTimes()
    var tcp = RunTimes()
    /// Under `versusNone`: the runs of the second server, at `-cc none`.
    var none = RunTimes()
    /// DATA sent ÷ ceil(n / 294) of each finished run of ours, from the server's session log.
    var sentOverMinimum: [Double] = []
    var noneSentOverMinimum: [Double] = []
    var dropped: Int?

    /// One transfer's time (nil: a timeout or failure) and, for ours and none, the DATA sent.
    mutating func record(_ side: KernelLoss.Side, seconds: Double?, sentOverMinimum sent: Double?) {
        switch side {
        case .ours: ours.runs.append(seconds); if let sent { sentOverMinimum.append(sent) }
        case .none: none.runs.append(seconds); if let sent { noneSentOverMinimum.append(sent) }
        case .tcp: tcp.runs.append(seconds)
        }
    }

    var kcp: Double? { KCPReference.time(n: count, p: p) }
    var medianSentOverMinimum: Double? { sentOverMinimum.isEmpty ? nil : median(sentOverMinimum) }
    var noneMedianSentOverMinimum: Double? { noneSentOverMinimum.isEmpty ? nil : median(noneSentOverMinimum) }
    /// Our median over none's, under `versusNone`; nil without both.
    var oursOverNone: Double? {
        guard let o = ours.median, let n = none.median, n > 0 else { return nil }
        return o / n
    }
    /// The same ratio with its paired bootstrap interval: the i-th runs of the two sides were made
    /// one after the other. Set once the cell's runs are over (`closeRuns`): the bootstrap resamples
    /// every pair 2,000 times, and the JSON and the table both show it.
    private(set) var oursOverNoneInterval: PairedRatio?

    mutating func closeRuns() {
        oursOverNoneInterval = none.runs.isEmpty ? nil : PairedRatio(ours.runs, none.runs)
    }
    var fasterThanKCP: Bool? { kcp.map { k in ours.median.map { $0 < k } ?? false } }
    /// A TCP timeout is slower than any finish; nil when no TCP transfer was made (`-noTCP`).
    var notSlowerThanTCP: Bool? {
        guard !tcp.runs.isEmpty || tcp.skipped > 0 else { return nil }
        guard let o = ours.median else { return false }
        return tcp.median.map { o <= $0 } ?? true
    }

    var json: JSON {
        .object([
            ("n", .int(Int(count))),
            ("p", .number(p, places: 3)),
            ("ours", ours.json),
            ("ours_sent_over_min", .optional(medianSentOverMinimum, places: 4)),
            ("ideal_sent_over_min", .number(1 / (1 - p), places: 4)),
            ("tcp", tcp.json),
            ("none", none.runs.isEmpty ? .null : none.json),
            ("none_sent_over_min", .optional(noneMedianSentOverMinimum, places: 4)),
            ("ours_over_none", .optional(oursOverNone, places: 3)),
            ("ours_over_none_95", oursOverNoneInterval.map { .array([.optional($0.low.isFinite ? $0.low : nil, places: 3),
                                                                     .optional($0.high.isFinite ? $0.high : nil, places: 3)]) } ?? .null),
            ("kcp_reference_s", .optional(kcp, places: 3)),
            ("faster_than_kcp_reference", fasterThanKCP.map { .bool($0) } ?? .null),
            ("not_slower_than_tcp", notSlowerThanTCP.map { .bool($0) } ?? .null),
            ("packets_dropped", dropped.map { .int($0) } ?? .null),
        ])
    }
}

enum KernelLoss {
    static let oursPort = 9_000
    static let tcpPort = 9_001
    static let nonePort = 9_002

    /// Whose transfer a run is: our server as measured, the `-cc none` one beside it, or TCP.
    enum Side {
        case ours, none, tcp
        var label: String { switch self { case .ours: "ours"; case .none: "none"; case .tcp: "tcp " } }
    }

    static func run(options: KernelLossOptions) throws(BenchError) -> [KernelLossCell] {
        for path in [options.serverPath, options.clientPath] where !isExecutable(path) {
            throw BenchError("no executable at \(path) (build all products, or pass -server/-client)")
        }
        let namespace = try LossyNamespace()
        let oursLog = temporaryPath("loss-ours-server"), tcpLog = temporaryPath("loss-tcp-server"), noneLog = temporaryPath("loss-none-server")
        defer { unlink(oursLog); unlink(tcpLog); unlink(noneLog) }
        // Not -quiet: each session's end line carries the DATA it sent.
        func numbersServer(port: Int, arguments: [String], log: String) throws(BenchError) -> ChildProcess {
            try ChildProcess(namespace.exec([options.serverPath, "-host", "127.0.0.1", "-port", "\(port)"] + arguments), outputPath: log)
        }
        let ours = try numbersServer(port: oursPort, arguments: options.serverArguments, log: oursLog)
        defer { ours.stop() }
        // Only the servers this run asks: no TCP server under -noTCP or -vsNone.
        let tcp: ChildProcess? = if options.skipTCP { nil } else {
            try ChildProcess(namespace.exec([options.benchPath, "tcp-serve", "-port", "\(tcpPort)"]), outputPath: tcpLog)
        }
        defer { tcp?.stop() }
        let noneServer: ChildProcess? = if options.versusNone {
            try numbersServer(port: nonePort, arguments: options.noneServerArguments, log: noneLog)
        } else { nil }
        defer { noneServer?.stop() }
        try ours.waitUntilBound(port: UInt16(oursPort), tcp: false)
        try tcp?.waitUntilBound(port: UInt16(tcpPort), tcp: true)
        try noneServer?.waitUntilBound(port: UInt16(nonePort), tcp: false)

        var cells: [KernelLossCell] = []
        for count in options.sizes {
            for p in options.losses {
                try namespace.setLoss(p)
                var cell = KernelLossCell(count: count, p: p)
                let minimum = Double((Int(count) + Limits.maxNumbersPerDatagram - 1) / Limits.maxNumbersPerDatagram)
                for attempt in 1...options.runs {
                    // Alternate which goes first, so neither always meets a cold or warm kernel.
                    let other: Side = noneServer == nil ? .tcp : .none
                    for side in attempt % 2 == 1 ? [Side.ours, other] : [other, .ours] {
                        if side == .tcp && options.skipTCP { continue }
                        if side == .tcp && options.stopDecidedTCP && cell.tcp.timeouts * 2 > options.runs {
                            cell.tcp.skipped += 1
                            continue
                        }
                        // Our client against one of our servers (whose log gives the DATA sent), or TCP.
                        let server: (port: Int, log: ChildProcess)? = switch side {
                        case .ours: (oursPort, ours)
                        case .none: noneServer.map { (nonePort, $0) }
                        case .tcp: nil
                        }
                        let arguments = server.map { [options.clientPath, "-host", "127.0.0.1", "-port", "\($0.port)", "-n", "\(count)"] }
                            ?? [options.benchPath, "tcp-fetch", "-host", "127.0.0.1", "-port", "\(tcpPort)", "-n", "\(count)"]
                        let (elapsed, status, output) = try TCPBaseline.timed(namespace.exec(arguments), timeout: options.timeout)
                        let ok = status == 0 && output.contains("PASS")
                        let sent = ok ? server.flatMap { dataSent(clientOutput: output, serverLog: $0.log) }.map { Double($0) / minimum } : nil
                        cell.record(side, seconds: ok ? elapsed : nil, sentOverMinimum: sent)
                        progress("loss n=\(count) p=\(fixed(p, 2)) run \(attempt) \(side.label): "
                                 + (ok ? "\(fixed(elapsed, 3)) s" : status == nil ? "TO (\(fixed(options.timeout, 0)) s)" : "FAILED (status \(status!))"))
                    }
                }
                cell.dropped = namespace.droppedPackets()
                cell.closeRuns()
                progress("loss n=\(count) p=\(fixed(p, 2)): ours median \(timeText(cell.ours.median)), "
                         + (options.versusNone ? "none \(timeText(cell.none.median)), " : "TCP \(timeText(cell.tcp.median)), ")
                         + "KCP reference \(cell.kcp.map { fixed($0, 3) + " s" } ?? "-"); \(cell.dropped ?? 0) packets dropped by the rule")
                cells.append(cell)
            }
        }
        return cells
    }

    /// The DATA the server sent for the client's session, from its `completed` line (which follows
    /// the client's DONE, so it is waited for briefly).
    static func dataSent(clientOutput: String, serverLog: ChildProcess) -> Int? {
        guard let line = clientOutput.split(separator: "\n").first(where: { $0.hasPrefix("client ID: ") }) else { return nil }
        let id = line.dropFirst("client ID: ".count)
        let start = MonotonicClock.now()
        while seconds(since: start) < 2 {
            if let ended = serverLog.output.split(separator: "\n").first(where: { $0.hasPrefix("session \(id): completed") }) {
                // "…: 3405 DATA sent (3 retransmitted), …": the word before "DATA".
                let words = ended.split(separator: " ")
                guard let data = words.firstIndex(of: "DATA"), data > 0 else { return nil }
                return Int(words[data - 1])
            }
            sleep(seconds: 0.01)
        }
        return nil
    }

    static func timeText(_ value: Double?) -> String { value.map { fixed($0, 3) + " s" } ?? "TO" }
    /// Median, p90 and max, as both tables print them.
    static func timeColumns(_ times: RunTimes) -> String {
        column(timeText(times.median), 11) + column(timeText(times.p90), 9) + column(timeText(times.maximum), 9)
    }

    static func table(_ cells: [KernelLossCell], options: KernelLossOptions) -> String {
        if options.versusNone { return versusNoneTable(cells, options: options) }
        var lines = ["real kernel loss p both ways (netns + iptables statistic), numbers-server \(options.serverArguments.joined(separator: " ")); "
                     + "\(options.runs) runs per cell, TO = not verified within \(fixed(options.timeout, 0)) s; KCP: the issue's reference (one run)",
                     "        n     p | ours median      p90      max  sent/min 1/(1-p) |  TCP median      p90      max | KCP ref | < KCP  ≤ TCP"]
        for cell in cells {
            let ours = timeColumns(cell.ours) + column(cell.medianSentOverMinimum.map { fixed($0, 3) } ?? "-", 10) + column(fixed(1 / (1 - cell.p), 3), 8)
            let tcp = cell.tcp.runs.isEmpty && cell.tcp.skipped == 0
                ? column("-", 11) + column("-", 9) + column("-", 9)
                : column(timeText(cell.tcp.median), 11) + column(cell.tcp.skipped > 0 ? "TO" : timeText(cell.tcp.p90), 9)
                    + column(cell.tcp.skipped > 0 ? "TO" : timeText(cell.tcp.maximum), 9)
            let verdicts = column(cell.fasterThanKCP.map { $0 ? "yes" : "NO" } ?? "-", 7) + column(cell.notSlowerThanTCP.map { $0 ? "yes" : "NO" } ?? "-", 7)
            lines.append(column(grouped(Int(cell.count)), 9) + column(fixed(cell.p, 2), 6) + " |" + ours + " |" + tcp + " |"
                         + column(cell.kcp.map { fixed($0, 3) + " s" } ?? "-", 8) + " |" + verdicts
                         + (cell.tcp.skipped > 0 ? "  (TCP: \(cell.tcp.timeouts) TO, \(cell.tcp.skipped) skipped)" : ""))
        }
        return lines.joined(separator: "\n")
    }
}

extension KernelLoss {
    static func ratioText(_ value: Double) -> String { value.isFinite ? fixed(value, 2) : "TO" }

    static func versusNoneTable(_ cells: [KernelLossCell], options: KernelLossOptions) -> String {
        var lines = ["real kernel loss p both ways (netns + iptables statistic): numbers-server \(options.serverArguments.joined(separator: " ")) "
                     + "beside numbers-server \(options.noneServerArguments.joined(separator: " ")), their runs alternating; "
                     + "\(options.runs) runs each per cell, TO = not verified within \(fixed(options.timeout, 0)) s",
                     "        n     p | ours median      p90      max  sent/min | none median      p90      max  sent/min | ours ÷ none   95% (paired bootstrap)"]
        for cell in cells {
            func side(_ times: RunTimes, _ sent: Double?) -> String { timeColumns(times) + column(sent.map { fixed($0, 3) } ?? "-", 10) }
            lines.append(column(grouped(Int(cell.count)), 9) + column(fixed(cell.p, 2), 6) + " |" + side(cell.ours, cell.medianSentOverMinimum)
                         + " |" + side(cell.none, cell.noneMedianSentOverMinimum) + " |" + column(cell.oursOverNone.map { fixed($0, 2) } ?? "-", 12)
                         + column(cell.oursOverNoneInterval.map { "\(ratioText($0.low))–\(ratioText($0.high))" } ?? "-", 12))
        }
        return lines.joined(separator: "\n")
    }
}

/// `numbers-bench loss`.
func makeKernelLossCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print the result as JSON: machine (with the commit measured), settings, cells")
    let out = flags.string("out", usage: "also write the JSON to this `file`")
    let losses = flags.string("p", default: "0.05,0.1,0.2,0.3,0.5", usage: "comma-separated loss `rates`", validate: lossListCheck)
    let sizes = flags.string("sizes", default: "65535,1000000", usage: "comma-separated transfer `sizes` (numbers)",
                             validate: { text in
                                 if case .failure(let e) = parseList(text, { UInt32($0) }, { $0 >= 1 ? nil : "must be at least 1" }) { return e.description }
                                 return nil
                             })
    let runs = runsFlag(flags, default: 7, most: KernelLossOptions.maxRuns, usage: "transfers per protocol and cell")
    let timeout = transferTimeoutFlag(flags, default: .seconds(60), usage: "a transfer not verified after this long counts as TO")
    let allTCP = flags.bool("allTCP", usage: "run every TCP transfer even once most of a cell's have timed out")
    let noTCP = flags.bool("noTCP", usage: "run no TCP transfers (to compare -cc settings of our own)")
    let versusNone = flags.bool("vsNone", usage: "instead of TCP, alternate each run with one from a second numbers-server at -cc none (a paired comparison)")
    let cc = flags.string("cc", usage: "numbers-server's `controller` (none or model; default: numbers-server's own)",
                          validate: { $0.isEmpty || CongestionControl(rawValue: $0) != nil ? nil : "must be none or model" })
    let server = serverPathFlag(flags)
    let client = clientPathFlag(flags)
    let nice = niceFlag(flags)
    return Command(flags: flags) {
        applyNice(nice.value)
        var options = KernelLossOptions()
        options.losses = try! lossList(losses.value).get()
        options.sizes = try! parseList(sizes.value, { UInt32($0) }, { _ in nil }).get()
        options.runs = runs.value; options.timeout = Double(timeout.value.nanoseconds) / 1e9
        options.stopDecidedTCP = !allTCP.value
        options.skipTCP = noTCP.value || versusNone.value
        options.versusNone = versusNone.value
        options.congestionControl = CongestionControl(rawValue: cc.value)
        options.serverPath = server.value; options.clientPath = client.value
        options.benchPath = executableDirectory() + "/numbers-bench"
        do {
            let machine = Machine.current()
            let cells = try KernelLoss.run(options: options)
            let object = JSON.object([
                ("machine", machine.json),
                ("settings", .object([("runs", .int(options.runs)), ("timeout_s", .number(options.timeout, places: 1)),
                                      ("nice", .int(nice.value)), ("tcp_stopped_once_decided", .bool(options.stopDecidedTCP)),
                                      ("server", .string("numbers-server " + options.serverArguments.joined(separator: " "))),
                                      ("versus_none", .bool(options.versusNone))])),
                ("cells", .array(cells.map(\.json))),
            ])
            if !out.value.isEmpty { try writeTextFile(out.value, object.rendered() + "\n") }
            emit(object, asJSON: json.value, text: KernelLoss.table(cells, options: options))
            return 0
        } catch {
            printError("\(program) loss: \(error)")
            return 1
        }
    }
}
