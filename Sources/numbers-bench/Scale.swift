import Glibc
import NumbersLoad
import NumbersProtocol
import NumbersTransport

/// How many concurrent sessions at the station's pace (1 number/s each) one server sustains:
/// `numbers-server -interval 1s` as a child process (so its memory is its own), loaded by the
/// in-process generator, in steps; a step is sustained when every session verifies and at most
/// `maxLate` of DATA left later than its pace allows.
struct ScaleOptions {
    var steps = [10_000, 25_000, 50_000, 75_000, 100_000]
    var numbersPerSession: UInt32 = 10
    var openRate = 20_000.0
    var sockets = 4
    var maxLate = 0.01
    var serverPath = ""
    /// Per step; the run of a step is bounded by ramp + n seconds + this.
    var slack = 30.0
    /// Run the server under SCHED_FIFO (root): on a shared machine, other processes' CPU bursts
    /// otherwise stall it for tens of milliseconds and show up as late sends that are not its own.
    var realtime = false
    /// What-if: the clients' ACK delay (nil: the client's default, as shipped).
    var ackDelay: Nanoseconds?
}

struct ScaleStep {
    var sessions: Int
    var report: LoadReport
    var peakStreaming: Int
    var rssBaseline: Int
    var rssAtPeak: Int
    var rssMax: Int
    var dataSent: UInt64?
    var lateSends: UInt64?
    var serverCPUSeconds: Double?
    var serverSystemSeconds: Double?
    var udpReceiveErrors: Int?
    /// Datagrams the kernel dropped at the server's socket and at the generator's sockets (full
    /// receive buffers): says which side could not keep up.
    var serverSocketDrops: Int?
    var generatorSocketDrops: Int?
    var serverOutput: String

    var bytesPerSession: Double { peakStreaming > 0 ? Double(rssAtPeak - rssBaseline) / Double(peakStreaming) : .nan }
    var lateFraction: Double? {
        guard let dataSent, let lateSends, dataSent > 0 else { return nil }
        return Double(lateSends) / Double(dataSent)
    }

    func sustained(maxLate: Double) -> Bool {
        report.verified && (lateFraction ?? 1) <= maxLate
    }

    var json: JSON {
        .object([
            ("sessions", .int(sessions)),
            ("verified", .int(report.passed)),
            ("peak_concurrent", .int(peakStreaming)),
            ("bytes_per_session", .number(bytesPerSession, places: 1)),
            ("late_fraction", .optional(lateFraction, places: 6)),
            ("data_sent", dataSent.map { .int(Int($0)) } ?? .null),
            ("late_sends", lateSends.map { .int(Int($0)) } ?? .null),
            ("server_rss_baseline_bytes", .int(rssBaseline)),
            ("server_rss_peak_bytes", .int(rssAtPeak)),
            ("server_cpu_s", .optional(serverCPUSeconds, places: 2)),
            ("server_kernel_cpu_s", .optional(serverSystemSeconds, places: 2)),
            ("generator_cpu_s", .number(report.cpuSeconds, places: 2)),
            ("elapsed_s", .number(report.elapsed.seconds, places: 2)),
            ("failed", .int(report.failedVerification + report.rejected + report.noAnswer + report.otherFailures)),
            ("unfinished", .int(report.unfinished)),
            ("probes", .int(Int(report.probesSent))),
            ("udp_receive_errors", udpReceiveErrors.map { .int($0) } ?? .null),
            ("server_socket_drops", serverSocketDrops.map { .int($0) } ?? .null),
            ("generator_socket_drops", generatorSocketDrops.map { .int($0) } ?? .null),
        ])
    }

    var text: String {
        "\(column(grouped(sessions), 8)) sessions: \(grouped(report.passed)) verified, peak \(grouped(peakStreaming)) concurrent, "
            + "\(fixed(bytesPerSession, 0)) bytes/session, late \(lateFraction.map { fixed($0 * 100, 3) + "%" } ?? "?"), "
            + "server CPU \(serverCPUSeconds.map { fixed($0, 1) } ?? "?") s (kernel \(serverSystemSeconds.map { fixed($0, 1) } ?? "?") s), generator CPU \(fixed(report.cpuSeconds, 1)) s "
            + "in \(fixed(report.elapsed.seconds, 1)) s"
            + (report.verified ? "" : " (failed \(report.failedVerification), rejected \(report.rejected), no answer \(report.noAnswer), unfinished \(report.unfinished))")
            + (udpReceiveErrors.map { $0 > 0 ? ", \($0) UDP receive-buffer drops" : "" } ?? "")
            + ((serverSocketDrops ?? 0) + (generatorSocketDrops ?? 0) > 0
               ? " (server socket \(serverSocketDrops ?? 0), generator sockets \(generatorSocketDrops ?? 0))" : "")
    }
}

struct ScaleResult {
    var steps: [ScaleStep]
    var maxLate: Double
    var sustained: ScaleStep? { steps.last { $0.sustained(maxLate: maxLate) } }

    var json: JSON {
        let best = sustained
        return .object([
            ("sessions", .int(best?.sessions ?? 0)),
            ("bytes_per_session", .optional(best?.bytesPerSession, places: 1)),
            ("late_fraction", .optional(best?.lateFraction, places: 6)),
            ("session_struct_bytes", .int(MemoryLayout<ServerSession>.stride)),
            ("max_late_allowed", .number(maxLate, places: 4)),
            ("steps", .array(steps.map(\.json))),
        ])
    }
}

enum Scale {
    static func run(options: ScaleOptions) throws(BenchError) -> ScaleResult {
        guard isExecutable(options.serverPath) else {
            throw BenchError("no numbers-server at \(options.serverPath) (build all products, or pass -server)")
        }
        var steps: [ScaleStep] = []
        for sessions in options.steps {
            let step = try runStep(sessions: sessions, options: options)
            progress("scale: " + step.text)
            steps.append(step)
            if !step.sustained(maxLate: options.maxLate) { break }
        }
        return ScaleResult(steps: steps, maxLate: options.maxLate)
    }

    static func freeUDPPort() throws(BenchError) -> UInt16 {
        do {
            let socket = try UDPSocket(host: "127.0.0.1", port: 0, bufferBytes: 65_536)
            return socket.localAddress.port
        } catch {
            throw BenchError("cannot find a free port: \(error)")
        }
    }

    static func runStep(sessions: Int, options: ScaleOptions) throws(BenchError) -> ScaleStep {
        let port = try freeUDPPort()
        let outputPath = temporaryPath("scale-server")
        defer { unlink(outputPath) }
        let server = try ChildProcess([options.serverPath, "-host", "127.0.0.1", "-port", "\(port)", "-interval", "1s", "-quiet",
                                       "-maxSessions", "\(sessions + sessions / 10 + 100)", "-sessionTTL", "30s"],
                                      outputPath: outputPath)
        defer { server.stop() }
        if options.realtime {
            var parameter = sched_param(sched_priority: 10)
            if sched_setscheduler(server.pid, SCHED_FIFO, &parameter) != 0 {
                progress("warning: cannot give numbers-server real-time priority: \(String(cString: strerror(errno)))")
            }
        }
        try server.waitUntilBound(port: port, tcp: false)
        sleep(seconds: 0.3)
        let baseline = server.residentBytes ?? 0
        let udpErrorsBefore = udpReceiveBufferErrors()

        var config = LoadConfig(server: PeerAddress(ipv4: (127, 0, 0, 1), port: port), sessions: sessions,
                                numbersPerSession: options.numbersPerSession)
        config.sockets = options.sockets
        config.openRate = options.openRate
        let ramp = Double(sessions) / options.openRate
        config.timeLimit = .seconds(ramp + Double(options.numbersPerSession) + options.slack)
        config.seed = UInt64(sessions)
        config.clientAckDelay = options.ackDelay

        // With -rt the generator (this thread) runs real-time too, below the server: on a shared
        // machine the load must not be the part that falls behind.
        if options.realtime {
            var parameter = sched_param(sched_priority: 5)
            if sched_setscheduler(0, SCHED_FIFO, &parameter) != 0 {
                progress("warning: cannot give the generator real-time priority: \(String(cString: strerror(errno)))")
            }
        }
        defer {
            if options.realtime {
                var parameter = sched_param(sched_priority: 0)
                _ = sched_setscheduler(0, SCHED_OTHER, &parameter)
            }
        }
        var peak = 0, rssAtPeak = baseline, rssMax = baseline
        var lastProgress = MonotonicClock.now()
        let report: LoadReport
        var generatorDrops: Int?
        do {
            let generator = try LoadGenerator(config: config)
            defer { generatorDrops = udpSocketDrops(ports: generator.localPorts, table: "/proc/self/net/udp") }
            report = try generator.run { snapshot in
                let rss = server.residentBytes ?? 0
                rssMax = max(rssMax, rss)
                if snapshot.streaming >= peak {
                    peak = snapshot.streaming
                    rssAtPeak = rss
                }
                if seconds(since: lastProgress) >= 5 {
                    lastProgress = MonotonicClock.now()
                    progress("scale \(grouped(sessions)): t=\(fixed(snapshot.elapsed.seconds, 1)) s opened \(grouped(snapshot.opened)), "
                             + "streaming \(grouped(snapshot.streaming)), over \(grouped(snapshot.over)), server RSS \(rss >> 20) MiB")
                }
            }
        } catch {
            throw BenchError("load generator: \(error)")
        }
        let cpu = server.cpuTimes
        let serverDrops = udpSocketDrops(ports: [port], table: "/proc/\(server.pid)/net/udp")
        let udpErrorsAfter = udpReceiveBufferErrors()
        server.stop()
        let output = readTextFile(outputPath) ?? ""
        let counters = parseServerCounters(output)
        return ScaleStep(sessions: sessions, report: report, peakStreaming: peak, rssBaseline: baseline, rssAtPeak: rssAtPeak,
                         rssMax: rssMax, dataSent: counters.data, lateSends: counters.late,
                         serverCPUSeconds: cpu.map { $0.user + $0.system }, serverSystemSeconds: cpu?.system,
                         udpReceiveErrors: udpErrorsBefore.flatMap { before in udpErrorsAfter.map { $0 - before } },
                         serverSocketDrops: serverDrops, generatorSocketDrops: generatorDrops, serverOutput: output)
    }

    /// DATA sent and late sends from the server's closing summary line
    /// ("sent: … datagrams: D DATA (…), …; L late").
    static func parseServerCounters(_ output: String) -> (data: UInt64?, late: UInt64?) {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("sent: ") && $0.contains(" DATA") }) else { return (nil, nil) }
        return (number(before: " DATA", in: line), number(before: " late", in: line))
    }

    /// The integer written just before `marker` in `text`.
    static func number(before marker: String, in text: Substring) -> UInt64? {
        guard let range = text.range(of: marker) else { return nil }
        var digits = ""
        var i = range.lowerBound
        while i > text.startIndex {
            let previous = text.index(before: i)
            guard text[previous].isNumber else { break }
            digits.insert(text[previous], at: digits.startIndex)
            i = previous
        }
        return UInt64(digits)
    }

    /// The `drops` column of the sockets bound to `ports` in a /proc/net/udp table.
    static func udpSocketDrops(ports: [UInt16], table: String) -> Int? {
        guard let text = readTextFile(table) else { return nil }
        let suffixes = Set(ports.map { port -> String in
            let hex = String(port, radix: 16, uppercase: true)
            return ":" + String(repeating: "0", count: 4 - hex.count) + hex
        })
        var total = 0
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 12, let colon = fields[1].lastIndex(of: ":"),
                  suffixes.contains(String(fields[1][colon...])), let drops = Int(fields[fields.count - 1]) else { continue }
            total += drops
        }
        return total
    }

    /// The kernel's count of UDP datagrams dropped for a full receive buffer (this namespace).
    static func udpReceiveBufferErrors() -> Int? {
        guard let snmp = readTextFile("/proc/net/snmp") else { return nil }
        let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " "), values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "RcvbufErrors"), index < values.count else { return nil }
        return Int(values[index])
    }
}

extension Substring {
    func range(of marker: String) -> Range<Index>? {
        let needle = Array(marker)
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            var j = i, k = 0
            while k < needle.count, j < endIndex, self[j] == needle[k] { j = index(after: j); k += 1 }
            if k == needle.count { return i..<j }
            i = index(after: i)
        }
        return nil
    }
}
