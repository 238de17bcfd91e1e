import Glibc
import NumbersCLI
import NumbersProtocol

// numbers-bench: measured performance of the Numbers Station protocol. Build and run in release
// mode: swift build -c release && .build/release/numbers-bench all -json

let program = "numbers-bench"
let arguments = Array(CommandLine.arguments.dropFirst())

let subcommands: [(name: String, summary: String)] = [
    ("efficiency", "the loss grid (simulator): time to PASS beside ideal selective repeat, DATA sent ÷ minimum, ACKs, probes"),
    ("throughput", "one client, no loss, full speed, full datagrams over loopback, beside a raw sendmmsg/recvmmsg blaster"),
    ("scale", "concurrent sessions at 1 number/s one numbers-server sustains, its memory per session, late sends"),
    ("scale-redis", "paced sessions over a Redis store (redis-server on this machine), one and two servers on one port: late sends, Redis commands per session-second"),
    ("bottleneck", "a real 50 Mbit/s tbf bottleneck between two namespaces: alone, beside iperf3 TCP, ten clients, 10/200 Mbit/s and 10 KB/1 MB queues (root, tc)"),
    ("cc", "congestion control in the simulator: -cc model beside -cc none under random loss (no bottleneck) and at simulated bottlenecks"),
    ("tcp", "completion time against plain TCP through real kernel loss (network namespace + iptables; root)"),
    ("figures", "recomputes the published simulator figures: README.md's table, results.json's simulator member, bench/loss-sweep.csv/svg"),
    ("loss", "time to a verified transfer through real kernel loss, p = 0.05…0.5, both sizes, beside TCP and KCP's reference (root)"),
    ("pacing", "whether -interval is honoured: the real server at 100us…10ms against the real client, mean DATA spacing"),
    ("all", "the published simulator figures, throughput, scale and tcp in one run; with -json, one JSON object on stdout"),
    ("micro", "the engines alone, in memory (no sockets): per-datagram CPU cost; the run to profile with callgrind"),
]

func usageError(_ message: String) -> Never {
    printError("\(program): \(message)\nRun '\(program) -h' for usage.")
    exit(2)
}

/// Comma-separated values, each checked; a clear message for the first bad one.
func parseList<T>(_ text: String, _ parse: (String) -> T?, _ check: (T) -> String?) -> Result<[T], BenchError> {
    var values: [T] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let word = part.trimmingCharacters
        guard let value = parse(word) else { return .failure(BenchError("\"\(word)\" is not a valid value")) }
        if let problem = check(value) { return .failure(BenchError("\(word): \(problem)")) }
        values.append(value)
    }
    return values.isEmpty ? .failure(BenchError("the list is empty")) : .success(values)
}

func lossList(_ text: String) -> Result<[Double], BenchError> {
    parseList(text, { Double($0) }, { $0 >= 0 && $0 < 1 ? nil : "a loss rate must be at least 0 and below 1" })
}

func lossListCheck(_ text: String) -> String? {
    if case .failure(let error) = lossList(text) { return error.description }
    return nil
}

func sessionList(_ text: String) -> Result<[Int], BenchError> {
    parseList(text, { Int($0) }, { $0 >= 1 && $0 <= 1_000_000 ? nil : "a step must be between 1 and 1000000 sessions" })
}

func seedList(count: Int) -> [UInt64] { (1...UInt64(max(count, 1))).map { $0 } }

/// A subcommand: its flags, and what it does once they are parsed.
struct Command {
    var flags: FlagSet
    var run: () -> Int32
}

/// The -n flag shared by several subcommands.
func countFlag(_ flags: FlagSet, default value: UInt32, usage: String) -> Flag<UInt32> {
    flags.uint32("n", default: value, usage: usage, validate: { $0 >= 1 ? nil : "must be at least 1" })
}

func batchFlag(_ flags: FlagSet, default value: Int) -> Flag<Int> {
    flags.int("batch", default: value, usage: "numbers per DATA datagram (1 to \(Limits.maxNumbersPerDatagram))",
              validate: { (1...Limits.maxNumbersPerDatagram).contains($0) ? nil : "must be between 1 and \(Limits.maxNumbersPerDatagram)" })
}

/// `-runs`: how many transfers each measurement repeats, 1 to `most`.
func runsFlag(_ flags: FlagSet, default value: Int, most: Int, usage: String) -> Flag<Int> {
    flags.int("runs", default: value, usage: usage, validate: { (1...most).contains($0) ? nil : "must be between 1 and \(most)" })
}

/// `-timeout`: how long one transfer may take before it counts as timed out; at least 1 s.
func transferTimeoutFlag(_ flags: FlagSet, default value: FlagDuration, usage: String) -> Flag<FlagDuration> {
    flags.duration("timeout", default: value, usage: usage, validate: { $0.nanoseconds >= 1_000_000_000 ? nil : "must be at least 1s" })
}

/// `-cc`: the server's congestion control, one of `CongestionControl`'s names.
func congestionControlFlag(_ flags: FlagSet, usage: String) -> Flag<String> {
    let names = CongestionControl.allCases.map(\.rawValue).joined(separator: " or ")
    return flags.string("cc", default: CongestionControl.model.rawValue, usage: usage,
                        validate: { CongestionControl(rawValue: $0) == nil ? "must be \(names)" : nil })
}

func serverPathFlag(_ flags: FlagSet) -> Flag<String> {
    flags.string("server", default: executableDirectory() + "/numbers-server", usage: "the numbers-server `executable` to measure")
}

func clientPathFlag(_ flags: FlagSet) -> Flag<String> {
    flags.string("client", default: executableDirectory() + "/numbers-client", usage: "the numbers-client `executable` to measure")
}

func niceFlag(_ flags: FlagSet) -> Flag<Int> {
    flags.int("nice", default: 0, usage: """
        scheduling priority for the benchmark and every process it starts (-20 highest; below 0 needs root): \
        on a shared machine, keeps other processes' bursts out of the timings
        """, validate: { (-20...19).contains($0) ? nil : "must be between -20 and 19" })
}

func realtimeFlag(_ flags: FlagSet) -> Flag<Bool> {
    flags.bool("rt", usage: """
        run numbers-server and the load generator under SCHED_FIFO in the scale part (root): on a shared \
        machine, other processes' CPU bursts otherwise stall them and count as late sends and drops
        """)
}

/// Sets this thread's nice value, which every thread and child process started afterwards inherits.
func applyNice(_ value: Int) {
    guard value != 0 else { return }
    if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(value)) != 0 {
        progress("warning: cannot set nice \(value): \(String(cString: strerror(errno)))")
    }
}

func emit(_ json: JSON, asJSON: Bool, text: @autoclosure () -> String) {
    writeStandardOutput((asJSON ? json.rendered() : text()) + "\n")
}

func makeCommand(_ name: String) -> Command? {
    let flags = FlagSet(program: "\(program) \(name)", summary: subcommands.first { $0.name == name }?.summary ?? "")
    switch name {
    case "efficiency":
        return makeEfficiencyCommand(flags)

    case "throughput":
        let json = flags.bool("json", usage: "print the result as JSON")
        let count = flags.uint32("n", default: 0, usage: "numbers to transfer (0: calibrate to about -seconds)")
        let target = flags.double("seconds", default: 3, usage: "target duration of the measured transfer",
                                  validate: { $0 > 0 && $0 <= 120 ? nil : "must be above 0 and at most 120" })
        let runs = runsFlag(flags, default: 1, most: 20, usage: "measured transfers (the best ratio is kept)")
        let batch = batchFlag(flags, default: Limits.maxNumbersPerDatagram)
        let skipRaw = flags.bool("skipRaw", usage: "do not run the raw blaster (for profiling the protocol's loops alone)")
        let cc = congestionControlFlag(flags, usage: "the server's congestion control: \(CongestionControl.allCases.map(\.rawValue).joined(separator: " or "))")
        let gso = flags.bool("gso", usage: "the server sends with segmentation offload, as numbers-server -gso does")
        let nice = niceFlag(flags)
        return Command(flags: flags) {
            applyNice(nice.value)
            var options = ThroughputOptions()
            options.segmentation = gso.value
            options.congestionControl = CongestionControl(rawValue: cc.value) ?? .model
            options.count = count.value; options.targetSeconds = target.value; options.runs = runs.value; options.batch = batch.value
            options.skipRaw = skipRaw.value
            do {
                let result = try Throughput.run(options: options)
                emit(result.json, asJSON: json.value, text: result.text)
                return result.passed ? 0 : 1
            } catch {
                printError("\(program) throughput: \(error)")
                return 1
            }
        }

    case "scale":
        let json = flags.bool("json", usage: "print the result as JSON")
        let steps = flags.string("steps", default: "10000,25000,50000,75000,100000",
                                 usage: "comma-separated session `counts`, tried in order until one is not sustained",
                                 validate: { if case .failure(let e) = sessionList($0) { return e.description }; return nil })
        let numbers = flags.uint32("numbers", default: 10, usage: "numbers per session (each session lasts about this many seconds)",
                                   validate: { (2...600).contains($0) ? nil : "must be between 2 and 600" })
        let openRate = flags.double("openRate", default: 20_000, usage: "sessions started per second during the ramp",
                                    validate: { $0 >= 1 && $0 <= 1e6 ? nil : "must be between 1 and 1000000" })
        let sockets = flags.int("sockets", default: 4, usage: "load-generator sockets the clients are spread over",
                                validate: { (1...64).contains($0) ? nil : "must be between 1 and 64" })
        let maxLate = flags.double("maxLate", default: 0.01, usage: "largest fraction of late DATA for a step to count as sustained",
                                   validate: { $0 >= 0 && $0 <= 1 ? nil : "must be between 0 and 1" })
        let nice = niceFlag(flags)
        let realtime = realtimeFlag(flags)
        let ackDelay = flags.duration("ackDelay", default: .zero, usage: """
            what-if: the clients' ACK delay instead of the client's default (0: the default, as numbers-client ships)
            """, validate: { $0.nanoseconds <= 10_000_000_000 ? nil : "must be at most 10s" })
        let server = serverPathFlag(flags)
        return Command(flags: flags) {
            applyNice(nice.value)
            var options = ScaleOptions()
            options.realtime = realtime.value
            if ackDelay.value.nanoseconds > 0 { options.ackDelay = Nanoseconds(ackDelay.value.nanoseconds) }
            options.steps = try! sessionList(steps.value).get()
            options.numbersPerSession = numbers.value; options.openRate = openRate.value; options.sockets = sockets.value
            options.maxLate = maxLate.value; options.serverPath = server.value
            do {
                let result = try Scale.run(options: options)
                emit(result.json, asJSON: json.value, text: result.steps.map(\.text).joined(separator: "\n"))
                return 0
            } catch {
                printError("\(program) scale: \(error)")
                return 1
            }
        }

    case "scale-redis":
        let json = flags.bool("json", usage: "print the result as JSON")
        let steps = flags.string("sessions", default: "50000", usage: "comma-separated session `counts`",
                                 validate: { if case .failure(let e) = sessionList($0) { return e.description }; return nil })
        let servers = flags.string("servers", default: "1,2", usage: "comma-separated numbers of servers sharing the port",
                                   validate: { if case .failure(let e) = parseList($0, { Int($0) }, { (1...8).contains($0) ? nil : "between 1 and 8" }) { return e.description }; return nil })
        let numbers = flags.uint32("numbers", default: 30, usage: "numbers per session (each session lasts about this many seconds)",
                                   validate: { (2...600).contains($0) ? nil : "must be between 2 and 600" })
        let openRate = flags.double("openRate", default: 5_000, usage: "sessions started per second during the ramp",
                                    validate: { $0 >= 1 && $0 <= 1e6 ? nil : "must be between 1 and 1000000" })
        let redisPath = flags.string("redis", default: "redis-server", usage: "the redis-server `executable`")
        let nice = niceFlag(flags)
        let server = serverPathFlag(flags)
        return Command(flags: flags) {
            applyNice(nice.value)
            var options = SharedScaleOptions()
            options.sessions = try! sessionList(steps.value).get()
            options.servers = try! parseList(servers.value, { Int($0) }, { _ in nil }).get()
            options.numbersPerSession = numbers.value; options.openRate = openRate.value
            options.serverPath = server.value; options.redisPath = redisPath.value
            do {
                let result = try SharedScale.run(options: options)
                emit(.array(result.map(\.json)), asJSON: json.value, text: result.map(\.text).joined(separator: "\n"))
                return result.allSatisfy { $0.sustained(maxLate: options.maxLate) } ? 0 : 1
            } catch {
                printError("\(program) scale-redis: \(error)")
                return 1
            }
        }

    case "tcp":
        let json = flags.bool("json", usage: "print the result as JSON")
        let losses = flags.string("p", default: "0,0.1,0.3", usage: "comma-separated loss `rates`", validate: lossListCheck)
        let count = countFlag(flags, default: 65_535, usage: "numbers per transfer")
        let runs = runsFlag(flags, default: 7, most: 50, usage: "transfers per protocol and loss rate (the median is reported; a timeout counts as slowest)")
        let timeout = transferTimeoutFlag(flags, default: .seconds(30), usage: "a transfer still running after this long counts as timed out")
        let server = serverPathFlag(flags)
        let client = clientPathFlag(flags)
        let nice = niceFlag(flags)
        return Command(flags: flags) {
            applyNice(nice.value)
            var options = TCPOptions()
            options.losses = try! lossList(losses.value).get()
            options.count = count.value; options.runs = runs.value; options.timeout = Double(timeout.value.nanoseconds) / 1e9
            options.serverPath = server.value; options.clientPath = client.value
            options.benchPath = executableDirectory() + "/numbers-bench"
            do {
                let points = try TCPBaseline.run(options: options)
                emit(.array(points.map(\.json)), asJSON: json.value, text: TCPBaseline.table(points))
                return 0
            } catch {
                printError("\(program) tcp: \(error)")
                return 1
            }
        }

    case "bottleneck":
        return makeBottleneckCommand(flags)

    case "cc":
        return makeCongestionSimulationCommand(flags)

    case "figures":
        return makeFiguresCommand(flags)

    case "pacing":
        return makePacingCommand(flags)

    case "loss":
        return makeKernelLossCommand(flags)

    case "all":
        return makeAllCommand(flags)

    case "micro":
        let json = flags.bool("json", usage: "print the result as JSON")
        let count = countFlag(flags, default: 2_940_000, usage: "numbers to move through the engines")
        let batch = batchFlag(flags, default: Limits.maxNumbersPerDatagram)
        return Command(flags: flags) {
            let result = Micro.run(options: MicroOptions(count: count.value, batch: batch.value))
            emit(result.json, asJSON: json.value, text: result.text)
            return result.passed ? 0 : 1
        }

    case "tcp-serve":
        let port = flags.uint32("port", default: 9_001, usage: "TCP port", validate: { (1...65_535).contains($0) ? nil : "must be between 1 and 65535" })
        let seed = flags.uint64("seed", default: 0x5EED, usage: "seed of the sequence served")
        return Command(flags: flags) { TCPPeer.serve(port: UInt16(port.value), seed: seed.value) }

    case "tcp-fetch":
        let host = flags.string("host", default: "127.0.0.1", usage: "server IPv4 address")
        let port = flags.uint32("port", default: 9_001, usage: "TCP port", validate: { (1...65_535).contains($0) ? nil : "must be between 1 and 65535" })
        let count = countFlag(flags, default: 65_535, usage: "numbers to fetch")
        return Command(flags: flags) { TCPPeer.fetch(host: host.value, port: UInt16(port.value), count: count.value) }

    default:
        return nil
    }
}

func topLevelUsage() -> String {
    var text = """
    numbers-bench: measured performance of the Numbers Station protocol, in release mode.

    Usage: \(program) <subcommand> [flags]

    Subcommands:

    """
    for (name, summary) in subcommands {
        text += "  \(name)" + String(repeating: " ", count: max(1, 12 - name.count)) + summary + "\n"
    }
    text += """
      tcp-serve / tcp-fetch  the two ends of the TCP baseline (started by 'tcp' inside the namespace)

    Regenerate the published figures (bench/README.md describes each part and its method):
      swift build -c release
      .build/release/numbers-bench figures     # the simulator's figures; swift test fails when they are stale
      .build/release/numbers-bench all -json -rt -nice -10 -out bench/results.json
      .build/release/numbers-bench loss -nice -10 -out bench/kernel-loss.json   # root, about 30 minutes
      .build/release/numbers-bench pacing -rt -nice -10 -runs 5 -seconds 4 -out bench/pacing.json

    The loss grid of the simulator (RTT x size x p; mean of -seeds, 99th percentile of -tailSeeds):
      .build/release/numbers-bench efficiency -rtt 10ms,100ms -p 0.1,0.3 -sizes 65535x1 -seeds 20 -tailSeeds 100

    Flags of each subcommand ('\(program) <subcommand> -h' shows one):

    """
    for (name, _) in subcommands {
        guard let command = makeCommand(name) else { continue }
        let flagLines = command.flags.usageText.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("Flags:") }.dropFirst()
        text += "\(name):\n" + flagLines.joined(separator: "\n") + "\n"
    }
    return text
}

guard let first = arguments.first else { usageError("no subcommand given") }
if ["-h", "-help", "--help", "help"].contains(first) {
    writeStandardOutput(topLevelUsage())
    exit(0)
}
if first.hasPrefix("-") { usageError("flags go after the subcommand; the first argument must be one of: \(subcommands.map(\.name).joined(separator: ", "))") }
guard let command = makeCommand(first) else {
    usageError("unknown subcommand \"\(first)\"; expected one of: \(subcommands.map(\.name).joined(separator: ", "))")
}
command.flags.parseOrExit(Array(arguments.dropFirst()))
exit(command.run())
