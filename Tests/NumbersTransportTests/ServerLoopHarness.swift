import Glibc
import NumbersImpairment
import NumbersProtocol
import Synchronization
@testable import NumbersTransport

/// Runs a `ServerLoop` over any store on its own thread for the length of `body`, then stops and
/// joins it and hands back the loop, so a test can read the engine and counters it ended with.
func withServerLoop<Store: SessionStore & Sendable>(store: Store, config: ServerConfig = .fastLoopback,
                                         _ body: (PeerAddress, ServerEventLog) throws -> Void) throws -> ServerLoop<Store> {
    let socket = try UDPSocket(host: "127.0.0.1", port: 0)
    let engine = ServerEngine(config: config, store: store, key: SipHashKey(k0: 1, k1: 2), seedSource: 7)
    // The loop belongs to the server thread until the join below hands it back.
    let handoff = LoopHandoff(ServerLoop(socket: socket, engine: engine, impairment: ImpairmentConfig()))
    let wakeup = try Wakeup()
    let stop = StopFlag()
    let log = ServerEventLog()
    let thread = try JoinableThread {
        try? handoff.loop.run(wakeup: wakeup, shouldStop: { stop.raised.load(ordering: .acquiring) }) { log.append($0) }
    }
    defer {
        stop.raised.store(true, ordering: .releasing)
        wakeup.signal()
        thread.join()
    }
    try body(socket.localAddress, log)
    return handoff.loop
}

/// Runs one client over loopback against `server` until it finishes or fails.
/// `beforeRun` gets the client's own address, to queue datagrams for it before it starts.
func runClient(count: UInt32, server: PeerAddress, beforeRun: (PeerAddress) throws -> Void = { _ in }) throws -> ClientLoop {
    let socket = try UDPSocket(host: "127.0.0.1", port: 0)
    try beforeRun(socket.localAddress)
    var config = ClientConfig(clientID: ClientID(high: 0x11, low: 0x22), mode: .start(count: count), server: server, tag: 5)
    config.giveUpAfter = .seconds(10 as UInt64)
    let client = ClientLoop(socket: socket, engine: ClientEngine(config: config, now: MonotonicClock.now(), randomSeed: 3),
                            impairment: ImpairmentConfig())
    try client.run(wakeup: nil, shouldStop: { false })
    return client
}

private final class LoopHandoff<Store: SessionStore>: @unchecked Sendable {
    let loop: ServerLoop<Store>
    init(_ loop: ServerLoop<Store>) { self.loop = loop }
}

final class StopFlag: Sendable {
    let raised = Atomic<Bool>(false)
}

extension ServerConfig {
    /// As fast as the window allows, 100 numbers a datagram: a loopback transfer takes moments.
    static var fastLoopback: ServerConfig {
        var config = ServerConfig()
        config.interval = .zero
        config.batch = 100
        return config
    }
}

/// The events a server loop reported, readable from the test's thread while the loop runs.
final class ServerEventLog: Sendable {
    private let events = Mutex<[ServerEvent]>([])

    func append(_ event: ServerEvent) { events.withLock { $0.append(event) } }

    /// Waits (up to `timeout`) until an event satisfies `matches`; true if one did.
    func waitFor(timeout: Nanoseconds = .seconds(5 as UInt64), _ matches: (ServerEvent) -> Bool) -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            if events.withLock({ $0.contains(where: matches) }) { return true }
            usleep(1_000)
        }
        return false
    }
}
