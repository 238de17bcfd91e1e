import NumbersProtocol
import NumbersTransport

/// The engines alone, no sockets: a server engine and a client engine hand datagrams to each other
/// in memory until the client verifies the whole sequence. Every datagram is encoded, checksummed,
/// decoded and handled exactly as in the real loops, so this is the per-datagram CPU cost of the
/// protocol, and the run to profile with callgrind (its instruction count does not depend on
/// what else the machine is doing).
struct MicroOptions {
    var count: UInt32 = 2_940_000
    var batch = Limits.maxNumbersPerDatagram
}

struct MicroResult {
    var count: UInt32
    var batch: Int
    var seconds: Double
    var datagramsToClient: Int
    var datagramsToServer: Int
    var passed: Bool

    var nanosecondsPerDatagram: Double { seconds * 1e9 / Double(max(datagramsToClient, 1)) }

    var text: String {
        "engines only: n = \(grouped(Int(count))), batch \(batch): \(grouped(datagramsToClient)) DATA/TRAILER + \(grouped(datagramsToServer)) client datagrams "
            + "in \(fixed(seconds, 3)) s: \(fixed(nanosecondsPerDatagram, 0)) ns per server datagram, "
            + "\(grouped(Int(Double(count) / seconds))) numbers/s; \(passed ? "PASS" : "FAIL")"
    }

    var json: JSON {
        .object([
            ("n", .int(Int(count))), ("batch", .int(batch)), ("seconds", .number(seconds, places: 4)),
            ("server_datagrams", .int(datagramsToClient)), ("client_datagrams", .int(datagramsToServer)),
            ("ns_per_server_datagram", .number(nanosecondsPerDatagram, places: 1)),
            ("numbers_per_s", .number(Double(count) / seconds, places: 0)), ("passed", .bool(passed)),
        ])
    }
}

enum Micro {
    static func run(options: MicroOptions) -> MicroResult {
        let serverAddress = PeerAddress(ipv4: (127, 0, 0, 1), port: 9000)
        let clientAddress = PeerAddress(ipv4: (127, 0, 0, 1), port: 40_000)
        var config = ServerConfig()
        config.interval = .zero
        config.batch = options.batch
        config.window = Limits.maxWindow
        var server = ServerEngine(config: config, store: InMemorySessionStore(), key: SipHashKey(k0: 1, k1: 2), seedSource: 3)
        var clientConfig = ClientConfig(clientID: ClientID(high: 0x0123_4567_89ab_4cde, low: 0x8fed_cba9_8765_4321),
                                        mode: .start(count: options.count), server: serverAddress, tag: 77)
        clientConfig.window = Limits.maxWindow
        // The clock advances 1 µs per exchange, so timers behave as on a fast real link.
        var now = Instant(nanoseconds: 1_000_000_000)
        var client = ClientEngine(config: clientConfig, now: now, randomSeed: 5)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.maxDatagramSize, alignment: 16)
        defer { buffer.deallocate() }
        var toClient = 0, toServer = 0
        let start = MonotonicClock.now()
        while !client.status.isOver {
            var idle = true
            while let length = client.poll(now: now, into: buffer) {
                server.handle(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), from: clientAddress, now: now)
                toServer += 1
                idle = false
            }
            var burst = 0
            while burst < 64, let transmit = server.poll(now: now, into: buffer) {
                client.handle(UnsafeRawBufferPointer(rebasing: buffer[0..<transmit.length]), from: serverAddress, now: now)
                toClient += 1
                burst += 1
                idle = false
            }
            while server.pollEvent() != nil {}
            if idle {
                let next = min(client.nextDeadline ?? .never, server.nextDeadline ?? .never)
                guard next != .never else { break }
                now = max(now + .microseconds(1), next)
            } else {
                now = now + .microseconds(1)
            }
        }
        // The client's final DONE copies.
        while let length = client.poll(now: now, into: buffer) {
            server.handle(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), from: clientAddress, now: now)
            toServer += 1
        }
        let elapsed = seconds(since: start)
        var passed = false
        if case .finished(let result) = client.status { passed = result.passed }
        return MicroResult(count: options.count, batch: options.batch, seconds: elapsed, datagramsToClient: toClient,
                           datagramsToServer: toServer, passed: passed)
    }
}
