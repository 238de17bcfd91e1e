import Glibc
import NumbersCLI
import NumbersImpairment
import NumbersProtocol
import NumbersReporting
import NumbersRedis
import NumbersTransport

let flags = FlagSet(program: "numbers-server", summary: """
    Streams each client its own sequence of pseudo-random uint32 numbers over UDP, paced and \
    windowed per client, retransmitting what the client reports missing, and ends each stream \
    with a trailer carrying the CRC-32C and sum of the whole sequence. See PROTOCOL.md.
    """)
let port = flags.uint32("port", default: 9000, usage: "UDP port to listen on", validate: { $0 <= 65535 ? nil : "must be at most 65535" })
let host = flags.string("host", default: "127.0.0.1", usage: "address to listen on")
let interval = flags.duration("interval", default: .seconds(1), usage: "time between DATA datagrams of one client; 0 sends as fast as the window allows")
let batch = flags.int("batch", default: 1, usage: "numbers per DATA datagram (1 to \(Limits.maxNumbersPerDatagram))")
let window = flags.uint32("window", default: ServerConfig.defaultWindow, usage: "most numbers outstanding beyond what the client has acknowledged (\(Limits.minWindow) to \(Limits.maxWindow))")
let sessionTTL = flags.duration("sessionTTL", default: .seconds(30), usage: "forget a session this long after its client falls silent")
let maxSessions = flags.int("maxSessions", default: 250_000, usage: "most concurrent sessions; beyond it new clients are refused")
let cc = flags.string("cc", default: CongestionControl.model.rawValue,
                      usage: "congestion control of full-speed (-interval 0) sessions: model (paced at the estimated bottleneck rate; random loss of up to a half alone never makes it back off) or none (as fast as the window allows, whatever the path)",
                      validate: { CongestionControl(rawValue: $0) == nil ? "must be one of \(CongestionControl.allCases.map(\.rawValue).joined(separator: ", "))" : nil })
let quiet = flags.bool("quiet", usage: "do not log each session's start and end")
let json = flags.bool("json", usage: "write JSON Lines on stdout instead of text: a line when listening, one per session event (created, resumed, adopted, moved, refused, completed, expired) and a totals line at shutdown; schema in docs/json.md")
let storeURL = flags.string("store", default: "memory", usage: "where sessions are kept: memory (this process only) or redis://HOST:PORT[/DB], shared with every server using the same Redis, so that one can take over the sessions of another (PROTOCOL.md §10)")
let reusePort = flags.bool("reusePort", usage: "let several servers listen on the same port (SO_REUSEPORT); with a shared -store they share the load and take over each other's clients")
let tracePath = flags.string("trace", usage: "write one JSON line per datagram sent, received, rejected (with the reason), or dropped, held or corrupted by the simulator, and one per phase change of a session's congestion controller, to this `file` (format: docs/trace.md)")
let pcapPath = flags.string("pcap", usage: "write every datagram sent and received to this pcap `file` (synthesised IP and UDP headers), for Wireshark or tshark with dissector/numbers.lua")
let gso = flags.bool("gso", usage: "send each run of equal DATA to one client as one segmented send (UDP GSO), which the kernel splits back into the same datagrams: far less kernel work per datagram at full speed, but packet filters (iptables), qdiscs and captures on this host see one packet per run, so leave it off when they are how loss is made or measured")
let simulator = ImpairmentFlags(registeringOn: flags)
lineBufferStandardOutput()
flags.parseOrExit()

var config = ServerConfig()
config.interval = Nanoseconds(interval.value.nanoseconds)
config.batch = batch.value
config.window = window.value
config.sessionTTL = Nanoseconds(sessionTTL.value.nanoseconds)
config.maxSessions = maxSessions.value
config.congestionControl = CongestionControl(rawValue: cc.value) ?? .model
flags.validateOrExit { () throws(ConfigurationError) in try config.validate() }
let impairment = simulator.config()

@MainActor func segmentationReport() -> SegmentationReport {
    SegmentationReport(requested: gso.value, unavailable: socket.segmentationUnavailable, runs: socket.segmentedRuns,
                       datagrams: socket.segmentedDatagrams, refusedRuns: socket.refusedRuns, lastRefusal: socket.lastRunRefusal)
}

func fail(_ message: String) -> Never {
    printError("numbers-server: \(message)")
    exit(1)
}

var redisEndpoint: RedisEndpoint?
if storeURL.value != "memory" {
    do { redisEndpoint = try RedisEndpoint(url: storeURL.value) } catch { flags.failUsage("-store: \(error)") }
}

let socket: UDPSocket
do { socket = try UDPSocket(host: host.value, port: UInt16(port.value), reusePort: reusePort.value) } catch { fail("\(error)") }
let trap: SignalTrap
do { trap = try SignalTrap() } catch { fail("\(error)") }
if gso.value {
    socket.useSegmentation()
    if let code = socket.segmentationUnavailable {
        printError("numbers-server: -gso: this kernel cannot segment UDP (\(String(cString: strerror(code)))): every datagram goes alone")
    }
}

var rng = SystemRandomNumberGenerator()
var addressKey = SipHashKey.random()
let layout = RedisCheckpoints(sessionTTL: config.sessionTTL, checkpointPeriod: SessionSharing.defaultCheckpointPeriod)
if let redisEndpoint {
    // Servers sharing a store share the address-validation secret; it is agreed on at start.
    do { addressKey = try RedisCheckpoints.sharedAddressKey(RedisClient(endpoint: redisEndpoint, timeout: 2), proposal: addressKey) }
    catch { fail("-store \(redisEndpoint): \(error)") }
}
// Built in place, so that the loop holds the only reference to the engine's arrays (a global
// copy would make the first session's change copy them all).
let loop = ServerLoop(socket: socket, engine: {
    var engine = ServerEngine(config: config, store: InMemorySessionStore(), key: addressKey, seedSource: rng.next())
    if redisEndpoint != nil { engine.shareSessions(checkpointPeriod: layout.checkpointPeriod) }
    return engine
}(), impairment: impairment)
if let redisEndpoint {
    do {
        let logsToStandardError = json.value   // stdout carries JSON only
        loop.storeLink = try SharedStoreLink(endpoint: redisEndpoint, layout: layout, timeout: 1, loopWakeup: trap.wakeup) { line in
            if logsToStandardError { printError("numbers-server: \(line)") } else { print("numbers-server: \(line)") }
        }
    } catch { fail("\(error)") }
}

if json.value {
    print(ServerJSONReport.listening(address: socket.localAddress, settings: [
        ("reusePort", .bool(reusePort.value)), ("store", .string(redisEndpoint.map { "\($0)" } ?? "memory")),
        ("intervalSeconds", .seconds(config.interval)), ("batch", .int(config.batch)), ("window", .unsigned(UInt64(config.window))),
        ("sessionTTLSeconds", .seconds(config.sessionTTL)), ("maxSessions", .int(config.maxSessions)), ("gso", .bool(gso.value)),
        ("simulator", impairment.isTransparent ? .null : .string("\(impairment)")),
    ]))
} else {
print("numbers-server: listening on \(socket.localAddress)\(reusePort.value ? " (shared port)" : "") (store \(redisEndpoint.map { "\($0)" } ?? "memory"), interval \(interval.value), batch \(config.batch), window \(config.window), session TTL \(sessionTTL.value), max sessions \(config.maxSessions), cc \(config.congestionControl.rawValue)\(gso.value ? ", gso" : ""))")
if !impairment.isTransparent { print("numbers-server: simulator: \(impairment)") }
}

if flags.isSet("trace") || flags.isSet("pcap") {
    do {
        loop.recorder = try DatagramRecorder(side: .server, origin: SharedClock.now(), local: socket.localAddress, peer: nil,
                                             impairment: impairment, tracePath: flags.isSet("trace") ? tracePath.value : nil,
                                             pcapPath: flags.isSet("pcap") ? pcapPath.value : nil)
    } catch { fail("\(error)") }
}

do {
    try loop.run(wakeup: trap.wakeup, shouldStop: { trap.caught != nil }) { event in
        guard !quiet.value else { return }
        if json.value { print(ServerJSONReport.line(for: event)); return }
        switch event {
        case .created(let id, let total, let address):
            print("session \(id): new, n=\(total), client \(address)")
        case .resumed(let id, let from, let address):
            print("session \(id): resumed from index \(from), client \(address)")
        case .adopted(let id, let from, let address):
            print("session \(id): adopted from the store, continuing at index \(from), client \(address)")
        case .ended(let id, let total, let acknowledged, let reason, let stats):
            switch reason {
            case .completed: print("session \(id): completed, n=\(total): \(stats.summary)")
            case .expired: print("session \(id): expired after \(sessionTTL.value) of silence at \(acknowledged)/\(total): \(stats.summary)")
            }
        case .moved(let id, let address):
            print("session \(id): client moved to \(address)")
        case .refused:
            break   // counted in the totals; a flood of refusals must not flood the log
        }
    }
} catch {
    fail("\(error)")
}

loop.stopStoreLink()
let signalName = trap.caught == SIGINT ? "SIGINT" : "SIGTERM"
if let failure = loop.recorder?.close() { printError("numbers-server: \(failure)") }
if json.value {
    print(ServerJSONReport.totals(signal: signalName, sessionsOpen: loop.engine.sessionCount, counters: loop.engine.counters,
                                  eventsDropped: loop.engine.eventsDropped, oversizeDropped: loop.oversizeDropped,
                                  socketDrops: loop.socketDrops, segmentation: segmentationReport(),
                                  simulator: impairment.isTransparent ? nil : loop.impairmentCounters,
                                  sharing: loop.engine.sharingCounters))
    exit(0)
}
print("numbers-server: caught \(signalName), shutting down with \(loop.engine.sessionCount) sessions open")
for line in loop.engine.counters.summaryLines { print("numbers-server: \(line)") }
let congestion = loop.engine.congestionCounters
if congestion.controllersCreated > 0 {
    print("numbers-server: congestion control: \(congestion.controllersCreated) controllers (\(congestion.sharedStarts) started from "
          + "their host's other sessions' path), \(congestion.transitions) phase changes, "
          + "\(congestion.windowHolds) window holds (DATA waiting for an ACK with the controller's window full)")
}
if let shared = loop.engine.sharingCounters, let link = loop.storeLink {
    print("numbers-server: store: \(link.commandsSent) Redis commands; sessions created \(shared.created), adopted \(shared.adopted), races lost \(shared.lostRaces); \(shared.refreshes) checkpoints, \(shared.deletes) deletes, \(shared.lookups) lookups (\(shared.notFound) not found); store unavailable \(shared.unavailable) times, \(shared.refusedUnavailable) new sessions refused")
}
if loop.oversizeDropped > 0 || loop.socketDrops > 0 {
    print("numbers-server: socket: \(loop.oversizeDropped) oversize datagrams dropped, \(loop.socketDrops) sends dropped by the kernel")
}
if gso.value { print("numbers-server: \(segmentationReport().summary)") }
if !impairment.isTransparent { print("numbers-server: \(loop.impairmentCounters.summary(label: "simulator"))") }
exit(0)
