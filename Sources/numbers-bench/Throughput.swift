import Glibc
import NumbersImpairment
import NumbersProtocol
import NumbersTransport
import Synchronization

/// One client, no loss, full speed, full datagrams, over real loopback sockets: the server loop and
/// the client loop each on its own thread, exactly as the executables run them. Beside it, in the
/// same run, the raw sendmmsg/recvmmsg blaster with the same datagram size for the same time.
struct ThroughputOptions {
    /// 0: calibrate so that the run takes about `targetSeconds`.
    var count: UInt32 = 0
    var targetSeconds = 3.0
    var batch = Limits.maxNumbersPerDatagram
    var window = Limits.maxWindow
    var runs = 1
    var skipRaw = false
    var congestionControl = CongestionControl.model
    var segmentation = false
}

struct ThroughputResult {
    var count: UInt32
    var batch: Int
    var seconds: Double
    var numbersPerSecond: Double
    /// Distinct DATA datagrams delivered per second: ceil(n / batch) / seconds.
    var datagramsPerSecond: Double
    var rawDatagramsPerSecond: Double
    var rawSentPerSecond: Double
    /// The raw blaster sending with segmentation offload, measured beside -gso runs only (else NaN).
    var rawSegmentedDatagramsPerSecond: Double = .nan
    var congestionControl: CongestionControl
    var segmentation: Bool
    /// The server's segmented sends (-gso) and the DATA and trailers in them.
    var segmentedRuns = 0
    var segmentedDatagrams = 0
    var dataSent: UInt64
    var retransmitted: UInt64
    var acksReceived: UInt64
    var passed: Bool
    var ratio: Double { datagramsPerSecond / rawDatagramsPerSecond }
    var datagramSize: Int { DataMessage.size(count: batch) }

    var json: JSON {
        .object([
            ("numbers_per_s", .number(numbersPerSecond, places: 0)),
            ("datagrams_per_s", .number(datagramsPerSecond, places: 0)),
            ("raw_datagrams_per_s", .number(rawDatagramsPerSecond, places: 0)),
            ("ratio", .number(ratio, places: 3)),
            ("n", .int(Int(count))),
            ("seconds", .number(seconds, places: 3)),
            ("batch", .int(batch)),
            ("datagram_bytes", .int(datagramSize)),
            ("payload_mbit_per_s", .number(numbersPerSecond * 32 / 1e6, places: 1)),
            ("data_sent", .int(Int(dataSent))),
            ("retransmitted", .int(Int(retransmitted))),
            ("acks", .int(Int(acksReceived))),
            ("raw_sent_per_s", .number(rawSentPerSecond, places: 0)),
            ("cc", .string(congestionControl.rawValue)),
            ("gso", .bool(segmentation)),
            ("gso_runs", .int(segmentedRuns)),
            ("gso_datagrams", .int(segmentedDatagrams)),
            ("raw_gso_datagrams_per_s", rawSegmentedDatagramsPerSecond.isFinite ? .number(rawSegmentedDatagramsPerSecond, places: 0) : .null),
            ("ratio_to_raw_gso", rawSegmentedDatagramsPerSecond.isFinite ? .number(datagramsPerSecond / rawSegmentedDatagramsPerSecond, places: 3) : .null),
            ("passed", .bool(passed)),
        ])
    }

    var text: String {
        """
        ours: n = \(grouped(Int(count))) in \(fixed(seconds, 3)) s: \(grouped(Int(numbersPerSecond))) numbers/s, \
        \(grouped(Int(datagramsPerSecond))) datagrams/s of \(datagramSize) bytes \
        (\(fixed(numbersPerSecond * 32 / 1e6, 0)) Mbit/s of numbers); \(dataSent) DATA sent, \(retransmitted) retransmitted, \
        \(acksReceived) ACKs\(segmentation ? "; \(segmentedDatagrams) datagrams in \(segmentedRuns) segmented sends" : ""); \(passed ? "PASS" : "FAIL")
        raw:  \(rawRate(rawDatagramsPerSecond)) datagrams/s received (\(rawRate(rawSentPerSecond)) sent)
        ratio ours/raw: \(fixed(ratio, 3))
        """ + (rawSegmentedDatagramsPerSecond.isFinite ? """

        raw with gso: \(rawRate(rawSegmentedDatagramsPerSecond)) datagrams/s received; ratio ours/raw with gso: \(fixed(datagramsPerSecond / rawSegmentedDatagramsPerSecond, 3))
        """ : "")
    }
}

private final class ThroughputShared: Sendable {
    let stop = Atomic<Bool>(false)
    let serverPort = Atomic<Int>(0)
    let serverWakeup: Wakeup
    let serverCounters = Mutex<ServerCounters?>(nil)
    /// The server socket's segmented sends and the datagrams in them (-gso).
    let segmentedRuns = Atomic<Int>(0)
    let segmentedDatagrams = Atomic<Int>(0)
    let clientOutcome = Mutex<(status: ClientStatus, seconds: Double)?>(nil)
    let failure = Mutex<String?>(nil)
    init(wakeup: Wakeup) { serverWakeup = wakeup }

    func fail(_ message: String) {
        failure.withLock { $0 = $0 ?? message }
        stop.store(true, ordering: .releasing)
        serverWakeup.signal()
    }
}

enum Throughput {
    /// One transfer of `count` numbers; returns the client's time and the server's counters.
    static func transfer(count: UInt32, options: ThroughputOptions) throws(BenchError) -> (seconds: Double, status: ClientStatus, counters: ServerCounters, segmentedRuns: Int, segmentedDatagrams: Int) {
        let wakeup: Wakeup
        do { wakeup = try Wakeup() } catch { throw BenchError("\(error)") }
        let shared = ThroughputShared(wakeup: wakeup)
        let batch = options.batch, window = options.window

        let server = JoinableThread.startedOrExit {
            do throws(SocketError) {
                let socket = try UDPSocket(host: "127.0.0.1", port: 0)
                if options.segmentation {
                    socket.useSegmentation()
                    if let code = socket.segmentationUnavailable {
                        shared.fail("-gso: this kernel cannot segment UDP (errno \(code))")
                        return
                    }
                }
                var config = ServerConfig()
                config.interval = .zero
                config.batch = batch
                config.window = window
                config.congestionControl = options.congestionControl
                var seeds = SplitMix64(seed: 42)
                let engine = ServerEngine(config: config, store: InMemorySessionStore(), key: SipHashKey(k0: seeds.next(), k1: seeds.next()),
                                          seedSource: seeds.next())
                let loop = ServerLoop(socket: socket, engine: engine, impairment: ImpairmentConfig())
                shared.serverPort.store(Int(socket.localAddress.port), ordering: .releasing)
                try loop.run(wakeup: shared.serverWakeup, shouldStop: { shared.stop.load(ordering: .acquiring) }, onEvent: { _ in })
                shared.serverCounters.withLock { $0 = loop.engine.counters }
                shared.segmentedRuns.store(socket.segmentedRuns, ordering: .releasing)
                shared.segmentedDatagrams.store(socket.segmentedDatagrams, ordering: .releasing)
            } catch {
                shared.fail("server: \(error)")
            }
        }
        var port = 0
        let waitStart = MonotonicClock.now()
        while port == 0 && shared.failure.withLock({ $0 }) == nil && seconds(since: waitStart) < 5 {
            port = shared.serverPort.load(ordering: .acquiring)
            if port == 0 { sleep(seconds: 0.001) }
        }
        if port != 0 {
            let serverAddress = PeerAddress(ipv4: (127, 0, 0, 1), port: UInt16(port))
            let client = JoinableThread.startedOrExit {
                do throws(SocketError) {
                    let socket = try UDPSocket(host: "127.0.0.1", port: 0)
                    var config = ClientConfig(clientID: ClientID(high: 0x1234_5678_9abc_4def, low: 0x8123_4567_89ab_cdef), mode: .start(count: count),
                                              server: serverAddress, tag: 0x5eed)
                    config.window = window
                    config.giveUpAfter = .seconds(10 as UInt64)
                    let start = MonotonicClock.now()
                    let loop = ClientLoop(socket: socket, engine: ClientEngine(config: config, now: start, randomSeed: 7),
                                          impairment: ImpairmentConfig())
                    try loop.run(wakeup: nil, shouldStop: { shared.stop.load(ordering: .relaxed) })
                    let elapsed = seconds(since: start)
                    shared.clientOutcome.withLock { $0 = (loop.engine.status, elapsed) }
                } catch {
                    shared.fail("client: \(error)")
                }
            }
            client.join()
        } else {
            shared.fail(shared.failure.withLock({ $0 }) ?? "the server did not start within 5 s")
        }
        shared.stop.store(true, ordering: .releasing)
        wakeup.signal()
        server.join()
        if let failure = shared.failure.withLock({ $0 }) { throw BenchError(failure) }
        guard let outcome = shared.clientOutcome.withLock({ $0 }), let counters = shared.serverCounters.withLock({ $0 }) else {
            throw BenchError("the transfer ended without a result")
        }
        return (outcome.seconds, outcome.status, counters,
                shared.segmentedRuns.load(ordering: .acquiring), shared.segmentedDatagrams.load(ordering: .acquiring))
    }

    static func run(options: ThroughputOptions) throws(BenchError) -> ThroughputResult {
        var count = options.count
        if count == 0 {
            // Calibrate (and warm up): a short transfer tells the rate on this machine.
            let probe = UInt32(options.batch * 20_000)
            let warm = try transfer(count: probe, options: options)
            let rate = Double(probe) / warm.seconds
            let wanted = min(rate * options.targetSeconds, Double(UInt32.max - UInt32(options.batch)))
            count = UInt32(max(wanted / Double(options.batch), 1).rounded()) * UInt32(options.batch)
            progress("throughput: calibration moved \(grouped(Int(probe))) numbers in \(fixed(warm.seconds, 3)) s; n = \(grouped(Int(count)))")
        }
        var best: ThroughputResult?
        for attempt in 1...max(options.runs, 1) {
            let ours = try transfer(count: count, options: options)
            var passed = false
            if case .finished(let result) = ours.status { passed = result.passed }
            var raw: RawLoopbackBlaster.Report?
            var rawSegmented: RawLoopbackBlaster.Report?
            if !options.skipRaw {
                do {
                    raw = try RawLoopbackBlaster.run(duration: .seconds(ours.seconds), datagramSize: DataMessage.size(count: options.batch))
                    if options.segmentation {
                        rawSegmented = try RawLoopbackBlaster.run(duration: .seconds(ours.seconds), datagramSize: DataMessage.size(count: options.batch),
                                                                  segmentation: true)
                    }
                } catch {
                    throw BenchError("raw blaster: \(error)")
                }
            }
            let minimum = (Double(count) / Double(options.batch)).rounded(.up)
            var result = ThroughputResult(count: count, batch: options.batch, seconds: ours.seconds,
                                          numbersPerSecond: Double(count) / ours.seconds,
                                          datagramsPerSecond: minimum / ours.seconds,
                                          rawDatagramsPerSecond: raw?.receivedPerSecond ?? .nan, rawSentPerSecond: raw?.sentPerSecond ?? .nan,
                                          rawSegmentedDatagramsPerSecond: rawSegmented?.receivedPerSecond ?? .nan,
                                          congestionControl: options.congestionControl, segmentation: options.segmentation,
                                          dataSent: ours.counters.dataSent, retransmitted: ours.counters.retransmittedDatagrams,
                                          acksReceived: ours.counters.acksReceived, passed: passed)
            result.segmentedRuns = ours.segmentedRuns
            result.segmentedDatagrams = ours.segmentedDatagrams
            progress("throughput run \(attempt): \(grouped(Int(result.datagramsPerSecond))) dgram/s vs raw \(rawRate(result.rawDatagramsPerSecond)) "
                     + "(ratio \(fixed(result.ratio, 3)), \(result.passed ? "PASS" : "FAIL"))")
            if best == nil || result.ratio > best!.ratio { best = result }
        }
        return best!
    }
}

/// A raw blaster rate for display; NaN when -skipRaw left it unmeasured.
private func rawRate(_ perSecond: Double) -> String {
    perSecond.isFinite ? grouped(Int(perSecond)) : "not measured"
}
