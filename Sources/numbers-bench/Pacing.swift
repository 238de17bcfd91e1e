import Glibc
import NumbersCLI
import NumbersProtocol
import NumbersTransport

/// Whether `numbers-server -interval` is honoured: the real server at each interval, one number per
/// DATA, against the real client over loopback. The mean spacing is found by counting: a transfer
/// of N numbers and one of N/10 share the process start, the handshake and the trailer, so their
/// difference in wall time is exactly (N − N/10) spacings.
struct PacingOptions {
    var intervals: [Nanoseconds] = [.microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(10)]
    /// Each long transfer lasts about this long at its interval.
    var seconds = 2.0
    var runs = 3
    var serverPath = ""
    var clientPath = ""
    var port: UInt16 = 9_070
    /// numbers-server under SCHED_FIFO: another process's CPU burst then cannot delay a send by
    /// more than an interval (which the engine treats as a new start of the schedule).
    var realtime = false
}

struct PacingPoint {
    var interval: Nanoseconds
    var longCount: Int
    var shortCount: Int
    /// Wall time of each long and each short transfer (nil: it failed).
    var long: [Double?]
    var short: [Double?]

    /// From the medians of the two lengths; nil when a median is a failure.
    var meanSpacing: Double? {
        guard let l = TCPPoint.summary(long), let s = TCPPoint.summary(short) else { return nil }
        return (l - s) / Double(longCount - shortCount)
    }
    var error: Double? { meanSpacing.map { $0 / interval.seconds - 1 } }
    var met: Bool { error.map { abs($0) <= 0.02 } ?? false }

    var json: JSON {
        .object([
            ("interval_us", .number(interval.seconds * 1e6, places: 1)),
            ("mean_spacing_us", .optional(meanSpacing.map { $0 * 1e6 }, places: 2)),
            ("error", .optional(error, places: 4)),
            ("within_2pct", .bool(met)),
            ("long_n", .int(longCount)),
            ("short_n", .int(shortCount)),
            ("long_runs_s", .array(long.map { .optional($0, places: 4) })),
            ("short_runs_s", .array(short.map { .optional($0, places: 4) })),
        ])
    }
}

enum Pacing {
    static func run(options: PacingOptions) throws(BenchError) -> [PacingPoint] {
        for path in [options.serverPath, options.clientPath] where !isExecutable(path) {
            throw BenchError("no executable at \(path) (build all products, or pass -server/-client)")
        }
        var points: [PacingPoint] = []
        for interval in options.intervals {
            let log = temporaryPath("pacing-server")
            defer { unlink(log) }
            let server = try ChildProcess([options.serverPath, "-host", "127.0.0.1", "-port", "\(options.port)",
                                           "-interval", "\(interval.value)ns", "-batch", "1", "-quiet"], outputPath: log)
            defer { server.stop() }
            if options.realtime {
                var parameter = sched_param(sched_priority: 10)
                if sched_setscheduler(server.pid, SCHED_FIFO, &parameter) != 0 {
                    progress("warning: cannot give numbers-server real-time priority: \(String(cString: strerror(errno)))")
                }
            }
            try server.waitUntilBound(port: options.port, tcp: false)
            let long = max(20, Int((options.seconds / interval.seconds).rounded()))
            var point = PacingPoint(interval: interval, longCount: long, shortCount: long / 10, long: [], short: [])
            let timeout = options.seconds * 3 + 10
            for attempt in 1...options.runs {
                for count in attempt % 2 == 1 ? [point.longCount, point.shortCount] : [point.shortCount, point.longCount] {
                    let (elapsed, status, output) = try TCPBaseline.timed(
                        [options.clientPath, "-host", "127.0.0.1", "-port", "\(options.port)", "-n", "\(count)"], timeout: timeout)
                    let ok = status == 0 && output.contains("PASS")
                    if count == point.longCount { point.long.append(ok ? elapsed : nil) } else { point.short.append(ok ? elapsed : nil) }
                    if !ok { progress("pacing \(interval): n = \(count) FAILED (status \(status.map(String.init) ?? "timeout")): \(output.suffix(200))") }
                }
            }
            progress("pacing -interval \(interval): mean spacing \(point.meanSpacing.map { fixed($0 * 1e6, 1) + " us" } ?? "-") "
                     + "(\(point.error.map { fixed($0 * 100, 2) + "%" } ?? "-"))")
            points.append(point)
        }
        return points
    }

    static func table(_ points: [PacingPoint]) -> String {
        var lines = ["  -interval   mean spacing      error   within 2%   (N, N/10 numbers)"]
        for point in points {
            lines.append(column("\(point.interval)", 11) + column(point.meanSpacing.map { fixed($0 * 1e6, 1) + " us" } ?? "-", 15)
                         + column(point.error.map { fixed($0 * 100, 2) + "%" } ?? "-", 11) + column(point.met ? "yes" : "NO", 12)
                         + "   (\(grouped(point.longCount)), \(grouped(point.shortCount)))")
        }
        return lines.joined(separator: "\n")
    }
}

/// `numbers-bench pacing`.
func makePacingCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print the result as JSON: machine (with the commit measured), settings, points")
    let out = flags.string("out", usage: "also write the JSON to this `file`")
    let intervals = flags.string("intervals", default: "100us,500us,1ms,10ms", usage: "comma-separated server -interval `values`",
                                 validate: listCheck(durationList))
    let duration = flags.double("seconds", default: 2, usage: "length of each long transfer at its interval",
                                validate: { $0 >= 0.2 && $0 <= 60 ? nil : "must be between 0.2 and 60" })
    let runs = runsFlag(flags, default: 3, most: 20, usage: "transfers of each length per interval (medians are used)")
    let server = serverPathFlag(flags)
    let client = clientPathFlag(flags)
    let nice = niceFlag(flags)
    let realtime = flags.bool("rt", usage: "run numbers-server under SCHED_FIFO (root), so other processes cannot delay its sends")
    return Command(flags: flags) {
        applyNice(nice.value)
        var options = PacingOptions()
        options.realtime = realtime.value
        options.intervals = try! durationList(intervals.value).get()
        options.seconds = duration.value; options.runs = runs.value
        options.serverPath = server.value; options.clientPath = client.value
        do {
            let machine = Machine.current()
            let points = try Pacing.run(options: options)
            let object = JSON.object([
                ("machine", machine.json),
                ("settings", .object([("runs", .int(options.runs)), ("seconds", .number(options.seconds, places: 2)),
                                      ("nice", .int(nice.value)), ("server_realtime", .bool(options.realtime))])),
                ("points", .array(points.map(\.json))),
            ])
            if !out.value.isEmpty { try writeTextFile(out.value, object.rendered() + "\n") }
            emit(object, asJSON: json.value, text: Pacing.table(points))
            return points.allSatisfy(\.met) ? 0 : 1
        } catch {
            printError("\(program) pacing: \(error)")
            return 1
        }
    }
}
