import Foundation
import Glibc
import NumbersRedis
import Testing

/// A `redis-server` of the test's own: on a free port, in a temporary directory, no persistence,
/// stopped (SIGKILL, then reaped) by `stop()` and on deinit.
final class RedisServerProcess: @unchecked Sendable {
    let port: UInt16
    let directory: String
    private(set) var pid: pid_t = 0

    /// Where redis-server is, or nil. `CI=true` makes a missing one a failure, not a skip.
    static let executable: String? = {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (["/usr/bin", "/usr/local/bin", "/usr/sbin"] + path).map { $0 + "/redis-server" }.first { access($0, X_OK) == 0 }
    }()
    static var requiredByCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var canRun: Bool { executable != nil || requiredByCI }
    static let skipReason: Comment = "redis-server is not installed (apt-get install redis-server); under CI=true this fails instead"

    /// Starts one and waits (at most 10 s) until it answers PING.
    init(port requested: UInt16? = nil) throws {
        guard let executable = Self.executable else {
            throw RedisTestError("redis-server not found on PATH (apt-get install redis-server)")
        }
        port = try requested ?? Self.freeTCPPort()
        guard let made = ThrowawayRedis.temporaryDirectory() else { throw RedisTestError("mkdtemp failed") }
        directory = made
        try start(executable)
    }

    private func start(_ executable: String) throws {
        let arguments = [executable] + ThrowawayRedis.arguments(port: port, directory: directory, logfile: directory + "/redis.log")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw RedisTestError("cannot start redis-server: \(String(cString: strerror(status)))") }
        pid = child
        var exited = false
        let ready = ThrowawayRedis.waitUntilReady(port: port, seconds: 10) {
            var exitStatus: Int32 = 0
            exited = waitpid(child, &exitStatus, WNOHANG) == child
            return exited
        }
        if ready { return }
        if exited {
            pid = 0
            let log = (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? ""
            throw RedisTestError("redis-server exited at once:\n\(log)")
        }
        stop()
        throw RedisTestError("redis-server did not answer PING on port \(port) within 10 s")
    }

    /// Starts it again on the same port (after `stop()`), empty.
    func restart() throws {
        stop()
        try start(Self.executable!)
    }

    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    deinit {
        stop()
        _ = try? FileManager.default.removeItem(atPath: directory)
    }

    static func freeTCPPort() throws -> UInt16 {
        guard let port = ThrowawayRedis.freeTCPPort() else { throw RedisTestError("no free TCP port: \(String(cString: strerror(errno)))") }
        return port
    }
}

struct RedisTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
