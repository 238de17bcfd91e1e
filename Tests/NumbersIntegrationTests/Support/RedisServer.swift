import Foundation
import Glibc
import NumbersRedis
import Synchronization
import Testing

/// A redis-server of the test's own, on a free TCP port in a temporary directory, without
/// persistence: started by `start`, killed (and reaped) with its ChildGroup or by `kill()`.
final class RedisServer: Sendable {
    let port: UInt16
    let directory: String
    private let group: ChildGroup
    private let process: Mutex<ChildProcess?>

    static let executable: String? = KernelLoss.find("redis-server")
    static var canRun: Bool { executable != nil || KernelLoss.requiredByCI }
    static let skipReason: Comment = "redis-server is not installed (apt-get install redis-server); under CI=true this fails instead"

    var url: String { "redis://127.0.0.1:\(port)" }
    var endpoint: RedisEndpoint { RedisEndpoint(host: "127.0.0.1", port: port) }

    init(_ group: ChildGroup) throws {
        guard Self.executable != nil else { throw SpawnError(description: "redis-server not found (apt-get install redis-server)") }
        self.group = group
        port = try Self.freeTCPPort()
        var template = Array("/tmp/numbers-redis-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SpawnError(description: "mkdtemp failed") }
        directory = String(cString: made)
        process = Mutex(nil)
        try start()
    }

    deinit {
        kill()
        _ = try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts it (again, empty) and waits until it answers PING.
    func start() throws {
        let child = try group.spawn(Self.executable!, ["--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory,
                                                      "--save", "", "--appendonly", "no", "--daemonize", "no"])
        process.withLock { $0 = child }
        let client = RedisClient(endpoint: endpoint, timeout: 0.5)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if (try? client.send(RedisCommand("PING"))) == .simple("PONG") { return }
            if child.poll() != nil { break }
            blockingPause(milliseconds: 20)
        }
        throw SpawnError(description: "redis-server did not answer PING on port \(port):\n\(child.transcript)")
    }

    func kill() {
        process.withLock { $0?.kill(); $0 = nil }
    }

    /// One command from a client of the test's own.
    func send(_ command: RedisCommand) throws -> RESPValue {
        try RedisClient(endpoint: endpoint, timeout: 2).send(command)
    }

    static func freeTCPPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw SpawnError(description: "no free TCP port") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Starts numbers-server on `port` (not a free one of its own: servers that share a port, or a
/// replacement on the port of a dead one) and waits until it listens.
func startServer(_ group: ChildGroup, onPort port: UInt16, _ arguments: [String]) async throws -> RunningServer {
    let server = try group.spawn(try Executables.server, ["-port", "\(port)"] + arguments)
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
        if server.outputLines.contains(where: { $0.hasPrefix("numbers-server: listening on") }) {
            return RunningServer(process: server, port: port)
        }
        if server.poll() != nil { break }
        blockingPause(milliseconds: 5)
    }
    throw SpawnError(description: "numbers-server did not start listening on \(port):\n\(server.transcript)")
}
