import Glibc
import NumbersCLI
import NumbersImpairment
import NumbersProtocol
import NumbersReporting
import NumbersTransport
import Synchronization

/// A server and a client in one process, on loopback, with the loss simulator on both sides:
/// one command that shows a whole verified transfer and what it took to recover.
let flags = FlagSet(program: "numbers-demo", summary: """
    Starts a numbers-server on a free loopback port and runs one numbers-client against it, both \
    with the loss simulator on, then prints the client's counters and result. Nothing to set up.
    """)
let count = flags.uint32("n", default: 5_000, usage: "how many numbers to transfer", validate: { $0 >= 1 ? nil : "must be at least 1" })
let interval = flags.duration("interval", default: .milliseconds(1), usage: "the server's pace between DATA datagrams")
let batch = flags.int("batch", default: 10, usage: "numbers per DATA datagram")
let dropRate = flags.double("dropRate", default: 0.2, usage: "loss in each direction", validate: { $0 >= 0 && $0 < 1 ? nil : "must be a probability in [0, 1)" })
lineBufferStandardOutput()
flags.parseOrExit()

func fail(_ message: String) -> Never {
    printError("numbers-demo: \(message)")
    exit(1)
}

let serverSocket: UDPSocket
do { serverSocket = try UDPSocket(host: "127.0.0.1", port: 0) } catch { fail("\(error)") }
let stopServer: Wakeup
do { stopServer = try Wakeup() } catch { fail("\(error)") }

final class StopFlag: Sendable {
    let raised = Atomic<Bool>(false)
}
let stop = StopFlag()

var serverConfig = ServerConfig()
serverConfig.interval = Nanoseconds(interval.value.nanoseconds)
serverConfig.batch = batch.value
flags.validateOrExit { () throws(ConfigurationError) in try serverConfig.validate() }
let seeds = (UInt64.random(in: 1...UInt64.max), UInt64.random(in: 1...UInt64.max))
let loss = dropRate.value
let serverSettings = serverConfig

print("numbers-demo: server on \(serverSocket.localAddress), pace \(interval.value), \(batch.value) numbers per datagram, \(Int(loss * 100))% loss each way")
let serverThread: JoinableThread
do {
    serverThread = try JoinableThread {
        let engine = ServerEngine(config: serverSettings, store: InMemorySessionStore(), key: SipHashKey.random(), seedSource: seeds.0)
        let loop = ServerLoop(socket: serverSocket, engine: engine, impairment: ImpairmentConfig(dropRate: loss, seed: seeds.1))
        try? loop.run(wakeup: stopServer, shouldStop: { stop.raised.load(ordering: .acquiring) }) { _ in }
    }
} catch { fail("\(error)") }

let clientSocket: UDPSocket
do { clientSocket = try UDPSocket(host: "127.0.0.1", port: 0) } catch { fail("\(error)") }
let clientID = ClientID.random()
let clientConfig = ClientConfig(clientID: clientID, mode: .start(count: count.value), server: serverSocket.localAddress,
                                tag: UInt32.random(in: 0...UInt32.max))
let client = ClientLoop(socket: clientSocket, engine: ClientEngine(config: clientConfig, now: MonotonicClock.now(), randomSeed: seeds.0 ^ seeds.1),
                        impairment: ImpairmentConfig(dropRate: loss, seed: seeds.1 &+ 1))
print("numbers-demo: client \(clientID) asks for \(count.value) numbers")
let started = MonotonicClock.now()
do { try client.run(wakeup: nil, shouldStop: { false }) } catch { fail("\(error)") }
let elapsed = MonotonicClock.now() - started

stop.raised.store(true, ordering: .releasing)
stopServer.signal()
serverThread.join()

for line in client.engine.counters.summaryLines { print(line) }
print(client.impairmentCounters.summary(label: "simulator (client side)"))
switch client.engine.status {
case .finished(let result):
    print("time: \(elapsed)")
    for line in result.reportLines { print(line) }
    exit(result.passed ? 0 : 1)
case .failed(let failure):
    fail("error: \(failure)")
default:
    fail("error: stopped early")
}
