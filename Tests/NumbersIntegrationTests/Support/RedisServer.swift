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
        guard let port = ThrowawayRedis.freeTCPPort() else { throw SpawnError(description: "no free TCP port") }
        self.port = port
        guard let made = ThrowawayRedis.temporaryDirectory() else { throw SpawnError(description: "mkdtemp failed") }
        directory = made
        process = Mutex(nil)
        try start()
    }

    deinit {
        kill()
        _ = try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts it (again, empty) and waits until it answers PING.
    func start() throws {
        let child = try group.spawn(Self.executable!, ThrowawayRedis.arguments(port: port, directory: directory))
        process.withLock { $0 = child }
        if ThrowawayRedis.waitUntilReady(port: port, seconds: 10, hasExited: { child.poll() != nil }) { return }
        throw SpawnError(description: "redis-server did not answer PING on port \(port):\n\(child.transcript)")
    }

    func kill() {
        process.withLock { $0?.kill(); $0 = nil }
    }

    /// One command from a client of the test's own.
    func send(_ command: RedisCommand) throws -> RESPValue {
        try RedisClient(endpoint: endpoint, timeout: 2).send(command)
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
