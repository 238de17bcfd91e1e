import Glibc
import NumbersProtocol
import NumbersReporting
import NumbersTransport

/// The baseline a user would otherwise pick: the same 65,535 numbers over one plain TCP
/// connection, beside this protocol, both through the same real kernel loss: a network namespace
/// whose loopback drops each packet with probability p (iptables `statistic`), with a 1,500-byte
/// MTU and segmentation offload off, so TCP sends real MSS-sized segments that are lost one by one.
struct TCPOptions {
    var losses: [Double] = [0, 0.1, 0.3]
    var count: UInt32 = 65_535
    var runs = 7
    var timeout = 30.0
    var serverPath = ""
    var clientPath = ""
    var benchPath = ""
}

struct TCPPoint {
    var p: Double
    var ours: [Double?]
    var tcp: [Double?]
    var oursFailures: [String]

    /// Median over all runs, a timed-out run counting as slower than any finished one; nil when
    /// that median is a timeout.
    static func summary(_ runs: [Double?]) -> Double? {
        guard !runs.isEmpty else { return nil }
        let value = median(runs.map { $0 ?? .infinity })
        return value.isFinite ? value : nil
    }
    var oursSeconds: Double? { Self.summary(ours) }
    var tcpSeconds: Double? { Self.summary(tcp) }
    var tcpTimeouts: Int { tcp.filter { $0 == nil }.count }
    var oursTimeouts: Int { ours.filter { $0 == nil }.count }

    var json: JSON {
        .object([
            ("p", .number(p, places: 3)),
            ("ours_s", .optional(oursSeconds, places: 3)),
            ("tcp_s", .optional(tcpSeconds, places: 3)),
            ("speedup", .optional(oursSeconds.flatMap { o in tcpSeconds.map { $0 / o } }, places: 2)),
            ("tcp_timeout", .bool(tcpTimeouts > 0)),
            ("tcp_timeouts", .int(tcpTimeouts)),
            ("ours_failures", .int(oursTimeouts)),
            ("runs", .int(ours.count)),
            ("ours_runs_s", .array(ours.map { .optional($0, places: 3) })),
            ("tcp_runs_s", .array(tcp.map { .optional($0, places: 3) })),
        ])
    }
}

/// A network namespace of our own with a lossy loopback; deleted on deinit.
final class LossyNamespace {
    let name: String
    private var iptables = "iptables"

    init() throws(BenchError) {
        guard geteuid() == 0 else { throw BenchError("the tcp benchmark needs root (network namespaces and iptables)") }
        LossyNamespace.removeStale()
        name = "nbench-\(getpid())"
        _ = try? run(["ip", "netns", "del", name])
        try runChecked(["ip", "netns", "add", name])
        do {
            try runChecked(["ip", "-n", name, "link", "set", "lo", "up", "mtu", "1500"])
            // No GSO/TSO: every segment passes the loss rule on its own, as on a real link.
            try runChecked(["ip", "-n", name, "link", "set", "lo", "gso_max_size", "1500", "gso_max_segs", "1"])
            if (try? run(exec([iptables, "-L", "INPUT", "-n"])))?.status != 0 { iptables = "iptables-legacy" }
            try runChecked(exec([iptables, "-L", "INPUT", "-n"]))
        } catch {
            _ = try? run(["ip", "netns", "del", name])
            throw BenchError("cannot set up the lossy namespace (needs iproute2 and iptables): \(error)")
        }
    }

    deinit { _ = try? run(["ip", "netns", "del", name]) }

    /// Namespaces left by a benchmark that was killed.
    private static func removeStale() {
        guard let (status, output) = try? run(["ip", "netns", "list"]), status == 0 else { return }
        for line in output.split(separator: "\n") {
            guard let word = line.split(separator: " ").first, word.hasPrefix("nbench-"),
                  let pid = Int32(word.dropFirst("nbench-".count)), kill(pid, 0) != 0 else { continue }
            _ = try? run(["ip", "netns", "del", String(word)])
        }
    }

    func exec(_ arguments: [String]) -> [String] { ["ip", "netns", "exec", name] + arguments }

    /// Every packet that arrives on the namespace's loopback is dropped with probability `p`:
    /// each direction of every exchange sees the same independent loss.
    func setLoss(_ p: Double) throws(BenchError) {
        try runChecked(exec([iptables, "-F", "INPUT"]))
        guard p > 0 else { return }
        try runChecked(exec([iptables, "-A", "INPUT", "-i", "lo", "-m", "statistic", "--mode", "random",
                             "--probability", String(p), "-j", "DROP"]))
    }

    /// Packets dropped by the rule so far (a check that the loss is real).
    func droppedPackets() -> Int? {
        guard let (status, output) = try? run(exec([iptables, "-L", "INPUT", "-v", "-n", "-x"])), status == 0 else { return nil }
        for line in output.split(separator: "\n") where line.contains("DROP") {
            return line.split(separator: " ").first.flatMap { Int($0) }
        }
        return 0
    }
}

enum TCPBaseline {
    static let oursPort = 9_000
    static let tcpPort = 9_001

    static func run(options: TCPOptions) throws(BenchError) -> [TCPPoint] {
        for path in [options.serverPath, options.clientPath] where !isExecutable(path) {
            throw BenchError("no executable at \(path) (build all products, or pass -server/-client)")
        }
        let namespace = try LossyNamespace()
        let oursLog = temporaryPath("tcp-ours-server"), tcpLog = temporaryPath("tcp-baseline-server")
        defer { unlink(oursLog); unlink(tcpLog) }
        let ours = try ChildProcess(namespace.exec([options.serverPath, "-host", "127.0.0.1", "-port", "\(oursPort)", "-interval", "0",
                                                    "-batch", "\(Limits.maxNumbersPerDatagram)", "-quiet"]), outputPath: oursLog)
        defer { ours.stop() }
        let tcp = try ChildProcess(namespace.exec([options.benchPath, "tcp-serve", "-port", "\(tcpPort)"]), outputPath: tcpLog)
        defer { tcp.stop() }
        try ours.waitUntilBound(port: UInt16(oursPort), tcp: false)
        try tcp.waitUntilBound(port: UInt16(tcpPort), tcp: true)

        var points: [TCPPoint] = []
        for p in options.losses {
            try namespace.setLoss(p)
            var point = TCPPoint(p: p, ours: [], tcp: [], oursFailures: [])
            for attempt in 1...max(options.runs, 1) {
                // Alternate which goes first, so neither always meets a cold or warm kernel.
                let order = attempt % 2 == 1 ? [true, false] : [false, true]
                for isOurs in order {
                    let arguments = isOurs
                        ? [options.clientPath, "-host", "127.0.0.1", "-port", "\(oursPort)", "-n", "\(options.count)"]
                        : [options.benchPath, "tcp-fetch", "-host", "127.0.0.1", "-port", "\(tcpPort)", "-n", "\(options.count)"]
                    let (elapsed, status, output) = try timed(namespace.exec(arguments), timeout: options.timeout)
                    let ok = status == 0 && output.contains("PASS")
                    if isOurs {
                        point.ours.append(ok ? elapsed : nil)
                        if !ok { point.oursFailures.append("status \(status.map(String.init) ?? "timeout"): \(output.suffix(200))") }
                    } else {
                        point.tcp.append(ok ? elapsed : nil)
                    }
                    progress("tcp p=\(fixed(p, 2)) run \(attempt) \(isOurs ? "ours" : "tcp "): "
                             + (ok ? "\(fixed(elapsed, 3)) s" : status == nil ? "timeout after \(fixed(options.timeout, 0)) s" : "FAILED (status \(status!))"))
                }
            }
            if let dropped = namespace.droppedPackets() { progress("tcp p=\(fixed(p, 2)): \(dropped) packets dropped by the loss rule") }
            points.append(point)
        }
        return points
    }

    /// Runs a command with a timeout and returns its wall time, exit status (nil: timed out) and output.
    static func timed(_ arguments: [String], timeout: Double) throws(BenchError) -> (Double, Int32?, String) {
        let path = temporaryPath("timed")
        defer { unlink(path) }
        let start = MonotonicClock.now()
        let child = try ChildProcess(arguments, outputPath: path)
        let status = child.wait(timeout: timeout)
        let elapsed = seconds(since: start)
        if status == nil { child.stop(grace: 1) }
        return (elapsed, status, child.output)
    }

    static func table(_ points: [TCPPoint]) -> String {
        var lines = ["     p     ours s      TCP s   TCP/ours"]
        for point in points {
            let o = point.oursSeconds.map { fixed($0, 3) } ?? "failed"
            let t = point.tcpSeconds.map { fixed($0, 3) } ?? "timeout"
            let ratio = point.oursSeconds.flatMap { o in point.tcpSeconds.map { fixed($0 / o, 2) + "x" } } ?? "-"
            lines.append(column(fixed(point.p, 2), 6) + column(o, 11) + column(t, 11) + column(ratio, 11)
                         + (point.tcpTimeouts > 0 ? "  (\(point.tcpTimeouts) TCP timeouts)" : ""))
        }
        return lines.joined(separator: "\n")
    }
}

/// The TCP baseline's two ends, run by the benchmark as `numbers-bench tcp-serve` and
/// `numbers-bench tcp-fetch` inside the namespace. The client sends n (u32), the server answers
/// n numbers of a sequence as big-endian uint32s, then their CRC-32C (u32) and sum (u64), and
/// closes; the client checks both, as the UDP client checks the trailer.
enum TCPPeer {
    static func serve(port: UInt16, seed: UInt64) -> Never {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { fatal("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { fatal("bind/listen on port \(port): \(String(cString: strerror(errno)))") }
        writeStandardOutput("tcp-serve: listening on 127.0.0.1:\(port)\n")
        var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { if errno == EINTR { continue }; fatal("accept: \(String(cString: strerror(errno)))") }
            defer { close(connection) }
            var request: UInt32 = 0
            guard readFully(connection, &request, 4) else { continue }
            let n = UInt32(bigEndian: request)
            let generator = SequenceGenerator(seed: seed)
            var checksum = SequenceChecksum()
            var index: UInt32 = 0
            var failed = false
            while index < n && !failed {
                let count = Int(min(UInt32(chunk.count / 4), n - index))
                chunk.withUnsafeMutableBytes { raw in
                    for k in 0..<count {
                        let value = generator.number(at: index + UInt32(k))
                        checksum.add(value)
                        raw.storeBytes(of: value.bigEndian, toByteOffset: 4 * k, as: UInt32.self)
                    }
                }
                failed = !chunk.withUnsafeBytes { writeFully(connection, $0.baseAddress!, 4 * count) }
                index += UInt32(count)
            }
            guard !failed else { continue }
            var trailer = (checksum.crcValue.bigEndian, checksum.sum.bigEndian)
            _ = withUnsafeBytes(of: &trailer) { raw in
                writeFully(connection, raw.baseAddress!, 4) && writeFully(connection, raw.baseAddress! + 8, 8)
            }
        }
    }

    /// Exit status 0 and PASS when the numbers match their CRC and sum, 1 otherwise.
    static func fetch(host: String, port: UInt16, count: UInt32) -> Never {
        let start = MonotonicClock.now()
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard connection >= 0 else { fatal("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { fatal("not an IPv4 address: \(host)") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { fatal("connect: \(String(cString: strerror(errno)))") }
        var request = count.bigEndian
        guard writeFully(connection, &request, 4) else { fatal("write: \(String(cString: strerror(errno)))") }
        var checksum = SequenceChecksum()
        var buffer = [UInt8](repeating: 0, count: 64 * 1_024)
        var received = 0
        let expected = 4 * Int(count) + 12
        var tail: [UInt8] = []
        while received < expected {
            let got = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, min($0.count, expected - received)) }
            if got < 0 { if errno == EINTR { continue }; fatal("read: \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            // Numbers may straddle reads: fold whole words, keep the rest for the next read.
            tail.append(contentsOf: buffer[0..<got])
            let numberBytes = max(0, min(tail.count, 4 * Int(count) - Int(checksum.count) * 4))
            let whole = numberBytes / 4 * 4
            if whole > 0 {
                tail.withUnsafeBytes { checksum.add(bigEndianNumbers: UnsafeRawBufferPointer(rebasing: $0[0..<whole])) }
                tail.removeFirst(whole)
            }
            received += got
        }
        close(connection)
        let elapsed = seconds(since: start)
        guard received == expected, tail.count == 12 else {
            writeStandardOutput("FAIL: received \(received) of \(expected) bytes\n")
            exit(1)
        }
        let crc = tail.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) }
        let sum = tail.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt64.self)) }
        let passed = crc == checksum.crcValue && sum == checksum.sum && checksum.count == count
        writeStandardOutput("n: \(count)\nelapsed: \(fixed(elapsed, 4)) s\n\(passed ? "PASS" : "FAIL")\n")
        exit(passed ? 0 : 1)
    }

    private static func readFully(_ descriptor: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var done = 0
        while done < count {
            let got = read(descriptor, pointer + done, count - done)
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { return false }
            done += got
        }
        return true
    }

    private static func writeFully(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Bool {
        var done = 0
        while done < count {
            // MSG_NOSIGNAL: a client that went away is an error here, not a SIGPIPE that kills the server.
            let wrote = send(descriptor, pointer + done, count - done, Int32(MSG_NOSIGNAL))
            if wrote < 0 && errno == EINTR { continue }
            if wrote <= 0 { return false }
            done += wrote
        }
        return true
    }
}
