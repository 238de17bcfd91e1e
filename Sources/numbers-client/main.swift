import Glibc
import NumbersCLI
import NumbersImpairment
import NumbersProtocol
import NumbersReporting
import NumbersTransport

let flags = FlagSet(program: "numbers-client", summary: """
    Asks a numbers-server for a sequence of n pseudo-random uint32 numbers, reassembles it over \
    UDP whatever the loss, verifies the trailer's CRC-32C and sum, and prints PASS or FAIL. \
    Exit status: 0 PASS, 1 FAIL, 2 bad usage, 3 refused by the server, 4 no answer, 130 interrupted.
    """)
let port = flags.uint32("port", default: 9000, usage: "the server's UDP port", validate: { $0 >= 1 && $0 <= 65535 ? nil : "must be between 1 and 65535" })
let host = flags.string("host", default: "127.0.0.1", usage: "the server's address or name; of a name's addresses (IPv4 and IPv6) the first to answer is used")
let count = flags.uint32("n", default: 0, usage: "how many numbers to ask for, 1 to 4294967295 (default: random in 1…65535; with -clientID: whatever the session holds)")
let clientIDText = flags.string("clientID", usage: "resume the session of this client ID (a UUID) instead of starting a new one",
                                validate: { ClientID($0) == nil ? "not a UUID (expected 8-4-4-4-12 hexadecimal digits)" : nil })
let window = flags.uint32("window", default: ClientConfig.defaultWindow, usage: "numbers the client can buffer beyond its cumulative ACK")
let giveUpAfter = flags.duration("giveUpAfter", default: .seconds(60), usage: "stop with an error after this long without a datagram from the server")
let json = flags.bool("json", usage: "print one JSON object at the end instead of text (result, n, CRCs, sum, duration, counters, RTT and pace, simulator counters, client ID, exit status; schema in docs/json.md); the client ID goes to stderr at start")
let tracePath = flags.string("trace", usage: "write one JSON line per datagram sent, received, rejected (with the reason), or dropped, held or corrupted by the simulator to this `file` (format: docs/trace.md)")
let pcapPath = flags.string("pcap", usage: "write every datagram sent and received to this pcap `file` (synthesised IP and UDP headers), for Wireshark or tshark with dissector/numbers.lua")
let progressFlag = flags.bool("progress", usage: "show a status line on stderr (n in order and %, rate, missing, ranges requested, probes, RTT, ETA): on a terminal it is on by default and redrawn up to 10 times a second (-progress=false turns it off); elsewhere one line a second")
let simulator = ImpairmentFlags(registeringOn: flags)
lineBufferStandardOutput()
flags.parseOrExit()
let impairment = simulator.config()
let startedAt = MonotonicClock.now()
// On a terminal unless -progress=false; elsewhere only with -progress.
let progress: ProgressLine? = flags.isSet("progress")
    ? (progressFlag.value ? ProgressLine(onTerminal: ProgressLine.standardErrorIsTerminal) : nil)
    : (ProgressLine.standardErrorIsTerminal ? ProgressLine(onTerminal: true) : nil)

func fail(_ message: String, status: Int32) -> Never {
    printError("numbers-client: \(message)")
    exit(status)
}

/// Ends the run: in -json mode with the report on stdout (and any error also on stderr).
/// Writes out and closes -trace and -pcap files; a write error is reported, the exit status stays.
@MainActor
func closeInstruments(_ loop: ClientLoop?) {
    if let failure = loop?.recorder?.close() { printError("numbers-client: \(failure)") }
}

@MainActor
func finish(_ result: ClientJSONReport.Result, status: Int32, error: String?, engine: ClientEngine?, server: PeerAddress?,
            loop: ClientLoop?) -> Never {
    closeInstruments(loop)
    progress?.finish()
    guard json.value else {
        if let error { fail(error, status: status) }
        exit(status)
    }
    if let error { printError("numbers-client: \(error)") }
    let report = ClientJSONReport(result: result, exitStatus: status, error: error, clientID: clientID, server: server,
                                  duration: MonotonicClock.now() - startedAt, engine: engine,
                                  simulator: impairment.isTransparent ? nil : loop?.impairmentCounters,
                                  simulatorSettings: impairment.isTransparent ? nil : "\(impairment)",
                                  oversizeDropped: loop?.oversizeDropped ?? 0, socketSoftErrors: socket?.softErrorCount ?? 0)
    print(report.json.rendered())
    exit(status)
}

let candidates: [PeerAddress]
do { candidates = try PeerAddress.resolving(host: host.value, port: UInt16(port.value)) } catch { fail("\(error)", status: 2) }

var rng = SystemRandomNumberGenerator()
let resuming = flags.isSet("clientID")
let clientID = resuming ? ClientID(clientIDText.value)! : ClientID.random()
let mode: ClientConfig.Mode
if resuming {
    mode = .resume(expected: flags.isSet("n") ? count.value : nil)
} else {
    mode = .start(count: flags.isSet("n") ? count.value : UInt32.random(in: 1...65_535, using: &rng))
}
// Checked before any datagram is sent; the server is the address race's winner, set below.
var config = ClientConfig(clientID: clientID, mode: mode, server: PeerAddress(family: .ipv4, port: 0, high: 0, low: 0),
                          tag: UInt32.random(in: 0...UInt32.max, using: &rng))
config.window = window.value
config.giveUpAfter = Nanoseconds(giveUpAfter.value.nanoseconds)
flags.validateOrExit { () throws(ConfigurationError) in try config.validate() }

let trap: SignalTrap
do { trap = try SignalTrap() } catch { fail("\(error)", status: 1) }

// A name with several addresses (localhost: ::1 and 127.0.0.1) is raced: the first that answers wins.
if json.value { printError("client ID: \(clientID)") }
let server: PeerAddress
var socket: UDPSocket?
if candidates.count == 1 {
    server = candidates[0]
    do { socket = try UDPSocket(host: server.family == .ipv4 ? "0.0.0.0" : "::", port: 0) } catch { fail("\(error)", status: 1) }
} else {
    let openCount: UInt32
    if case .start(let n) = mode { openCount = n } else { openCount = 0 }
    let outcome: ServerAddressRace.Outcome
    do {
        outcome = try ServerAddressRace.run(candidates: candidates, clientID: clientID, count: openCount, window: window.value,
                                            giveUpAfter: Nanoseconds(giveUpAfter.value.nanoseconds), wakeup: trap.wakeup,
                                            shouldStop: { trap.caught != nil })
    } catch { fail("\(error)", status: 1) }
    switch outcome {
    case .answered(let winner):
        server = winner.address
        socket = winner.socket
    case .silent:
        let tried = candidates.prefix(ServerAddressRace.maxCandidates).map(\.description).joined(separator: ", ")
        finish(.noAnswer, status: 4, error: "error: no answer from \(host.value) at any of \(tried) for \(giveUpAfter.value); giving up",
               engine: nil, server: nil, loop: nil)
    case .stopped:
        finish(.interrupted, status: 130, error: "interrupted before \(host.value) answered", engine: nil, server: nil, loop: nil)
    }
}

config.server = server

// The engine is built in place: a second reference (a global `let`) would share its receive
// window's arrays, and the first DATA would then copy them (8 MB for n = 1,000,000, 3 ms before
// the first ACK, and again at the first loss).
let loop = ClientLoop(socket: socket!, engine: ClientEngine(config: config, now: MonotonicClock.now(), randomSeed: rng.next()),
                      impairment: impairment)

if flags.isSet("trace") || flags.isSet("pcap") {
    do {
        loop.recorder = try DatagramRecorder(side: .client, origin: MonotonicClock.now(), local: socket!.localAddress, peer: server,
                                             impairment: impairment, tracePath: flags.isSet("trace") ? tracePath.value : nil,
                                             pcapPath: flags.isSet("pcap") ? pcapPath.value : nil)
    } catch { fail("\(error)", status: 2) }
}

if !json.value {
    print("client ID: \(clientID)")
    switch mode {
    case .start(let n): print("asking \(server) for \(n) numbers")
    case .resume: print("resuming the session at \(server)")
    }
    if !impairment.isTransparent { print("simulator: \(impairment)") }
}

do {
    try loop.run(wakeup: trap.wakeup, shouldStop: {
        progress?.update(loop.engine, now: MonotonicClock.now())
        return trap.caught != nil
    })
} catch {
    finish(.error, status: 1, error: "\(error)", engine: loop.engine, server: server, loop: loop)
}

let final = loop.engine
progress?.finish()
if !json.value {
    for line in final.counters.summaryLines { print(line) }
    if !impairment.isTransparent { print(loop.impairmentCounters.summary(label: "simulator")) }
}

if trap.caught != nil {
    let of = final.total.map { " of \($0)" } ?? ""
    let text = "interrupted: received \(final.cumulative)\(of) numbers in order; resume with: numbers-client -host \(host.value) -port \(port.value) -clientID \(clientID)"
    if json.value { finish(.interrupted, status: 130, error: text, engine: final, server: server, loop: loop) }
    print(text)
    closeInstruments(loop)
    exit(130)
}

switch final.status {
case .finished(let result):
    if !json.value { for line in result.reportLines { print(line) } }
    finish(result.passed ? .pass : .fail, status: result.passed ? 0 : 1, error: nil, engine: final, server: server, loop: loop)
case .failed(let failure):
    switch failure {
    case .rejected: finish(.refused, status: 3, error: "error: \(failure)", engine: final, server: server, loop: loop)
    case .noAnswer: finish(.noAnswer, status: 4, error: "error: \(failure)", engine: final, server: server, loop: loop)
    case .countMismatch: finish(.countMismatch, status: 3, error: "error: \(failure)", engine: final, server: server, loop: loop)
    }
case .connecting, .streaming:
    finish(.error, status: 1, error: "error: stopped before the transfer finished", engine: final, server: server, loop: loop)
}
