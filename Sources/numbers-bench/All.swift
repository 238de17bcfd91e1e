import Glibc
import NumbersCLI
import NumbersProtocol

/// `numbers-bench all`: every part in one run. With -json, stdout carries exactly one JSON object
/// (progress goes to stderr): machine, simulator, throughput, scale, tcp, goals, settings, errors.
func makeAllCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print one JSON object with the keys machine, simulator, throughput, scale, tcp, goals, settings, errors")
    let out = flags.string("out", usage: "also write the JSON object to this `file`")
    let skip = flags.string("skip", usage: "comma-separated `parts` not to run (simulator, throughput, scale, tcp); their keys are null",
                            validate: { text in
                                let parts = text.split(separator: ",").map { $0.trimmingCharacters }
                                let bad = parts.first { !["simulator", "throughput", "scale", "tcp"].contains($0) }
                                return bad.map { "unknown part \"\($0)\"" }
                            })
    let throughputSeconds = flags.double("throughputSeconds", default: 3, usage: "target duration of the throughput transfer",
                                         validate: { $0 > 0 && $0 <= 120 ? nil : "must be above 0 and at most 120" })
    let scaleSteps = flags.string("scaleSteps", default: "10000,25000,50000,75000,100000", usage: "session `counts` for the scale ramp",
                                  validate: { if case .failure(let e) = sessionList($0) { return e.description }; return nil })
    let scaleNumbers = flags.uint32("scaleNumbers", default: 10, usage: "numbers per session in the scale run",
                                    validate: { (2...600).contains($0) ? nil : "must be between 2 and 600" })
    let tcpRuns = flags.int("tcpRuns", default: 7, usage: "transfers per protocol and loss rate in the tcp part",
                            validate: { (1...50).contains($0) ? nil : "must be between 1 and 50" })
    let tcpTimeout = flags.duration("tcpTimeout", default: .seconds(30), usage: "per-transfer timeout in the tcp part",
                                    validate: { $0.nanoseconds >= 1_000_000_000 ? nil : "must be at least 1s" })
    let server = serverPathFlag(flags)
    let client = clientPathFlag(flags)
    let nice = niceFlag(flags)
    let realtime = realtimeFlag(flags)

    return Command(flags: flags) {
        applyNice(nice.value)
        let skipped = Set(skip.value.split(separator: ",").map { $0.trimmingCharacters })
        let machine = Machine.current()
        progress("machine: \(machine.summary), load average \(machine.loadAverage.map { fixed($0, 2) } ?? "?") at start")
        var errors: [(String, JSON)] = []
        var text: [String] = ["machine: \(machine.summary); \(machine.swiftVersion)"]

        var simulator: SimulatorFigures?
        if !skipped.contains("simulator") {
            simulator = SimulatorFigures.compute()
            text.append("simulator (the published figures, as `figures` writes them):\n" + simulator!.text)
            if !simulator!.passed { errors.append(("simulator", .string("a simulated transfer did not verify"))) }
        }

        var throughput: ThroughputResult?
        if !skipped.contains("throughput") {
            var options = ThroughputOptions()
            options.targetSeconds = throughputSeconds.value
            do { throughput = try Throughput.run(options: options); text.append("throughput:\n" + throughput!.text) }
            catch { errors.append(("throughput", .string("\(error)"))) }
        }

        var scale: ScaleResult?
        if !skipped.contains("scale") {
            var options = ScaleOptions()
            options.steps = try! sessionList(scaleSteps.value).get()
            options.numbersPerSession = scaleNumbers.value
            options.serverPath = server.value
            options.realtime = realtime.value
            do { scale = try Scale.run(options: options); text.append("scale:\n" + scale!.steps.map(\.text).joined(separator: "\n")) }
            catch { errors.append(("scale", .string("\(error)"))) }
        }

        var tcp: [TCPPoint]?
        if !skipped.contains("tcp") {
            var options = TCPOptions()
            options.runs = tcpRuns.value
            options.timeout = Double(tcpTimeout.value.nanoseconds) / 1e9
            options.serverPath = server.value
            options.clientPath = client.value
            options.benchPath = executableDirectory() + "/numbers-bench"
            do { tcp = try TCPBaseline.run(options: options); text.append("tcp (65,535 numbers through kernel loss):\n" + TCPBaseline.table(tcp!)) }
            catch { errors.append(("tcp", .string("\(error)"))) }
        }

        let goals = Goals(throughput: throughput, scale: scale, tcp: tcp)
        let object = JSON.object([
            ("machine", machine.json),
            ("simulator", simulator?.json ?? .null),
            ("throughput", throughput.map(\.json) ?? .null),
            ("scale", scale.map(\.json) ?? .null),
            ("tcp", tcp.map { .array($0.map(\.json)) } ?? .null),
            ("goals", goals.json),
            ("settings", .object([
                ("nice", .int(nice.value)),
                ("server_realtime", .bool(realtime.value)),
                ("scale_numbers_per_session", .int(Int(scaleNumbers.value))),
                ("tcp_runs", .int(tcpRuns.value)),
                ("tcp_timeout_s", .number(Double(tcpTimeout.value.nanoseconds) / 1e9, places: 1)),
            ])),
            ("errors", .object(errors)),
        ])
        let rendered = object.rendered() + "\n"
        if !out.value.isEmpty {
            do { try writeTextFile(out.value, rendered) } catch { printError("\(program) all: \(error)") }
        }
        if json.value {
            writeStandardOutput(rendered)
        } else {
            text.append("goals:\n" + goals.text)
            writeStandardOutput(text.joined(separator: "\n\n") + "\n")
        }
        return errors.isEmpty ? 0 : 1
    }
}

/// The goals of the wall-clock parts, each judged from the figures (nil: that part did not run).
/// The simulator's figures carry their own yardsticks (ideal time, 1/(1 − p)) beside them.
struct Goals {
    var throughput: ThroughputResult?
    var scale: ScaleResult?
    var tcp: [TCPPoint]?

    var throughputMet: Bool? { throughput.map { $0.ratio >= 0.5 } }
    var scaleMet: Bool? {
        scale.map { s in (s.sustained?.sessions ?? 0) >= 100_000 && (s.sustained?.bytesPerSession ?? .infinity) <= 256 }
    }
    var tcpMet: Bool? {
        tcp.map { points in
            points.filter { $0.p > 0 }.allSatisfy { point in
                guard let ours = point.oursSeconds else { return false }
                return point.tcpSeconds.map { ours < $0 } ?? true   // a TCP timeout is slower than any finish
            }
        }
    }

    var json: JSON {
        func flag(_ b: Bool?) -> JSON { b.map { .bool($0) } ?? .null }
        return .object([
            ("throughput_ratio_at_least_0_5", flag(throughputMet)),
            ("scale_100k_sessions_at_256_bytes", flag(scaleMet)),
            ("tcp_faster_at_every_loss", flag(tcpMet)),
        ])
    }

    var text: String {
        func word(_ b: Bool?) -> String { b.map { $0 ? "met" : "NOT met" } ?? "not run" }
        return [
            "throughput ratio ≥ 0.5: \(word(throughputMet))" + (throughput.map { " (\(fixed($0.ratio, 3)))" } ?? ""),
            "scale 100,000 sessions at ≤ 256 bytes: \(word(scaleMet))"
                + (scale?.sustained.map { " (\(grouped($0.sessions)) sessions, \(fixed($0.bytesPerSession, 0)) bytes each)" } ?? ""),
            "faster than TCP at every p > 0: \(word(tcpMet))",
        ].joined(separator: "\n")
    }
}
