import Foundation
import Glibc
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
        var template = Array("/tmp/numbers-redis-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RedisTestError("mkdtemp failed") }
        directory = String(cString: made)
        try start(executable)
    }

    private func start(_ executable: String) throws {
        let arguments = [executable, "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory,
                         "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", directory + "/redis.log"]
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
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.answersPing(port: port) { return }
            var exitStatus: Int32 = 0
            if waitpid(pid, &exitStatus, WNOHANG) == pid {
                pid = 0
                let log = (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? ""
                throw RedisTestError("redis-server exited at once:\n\(log)")
            }
            usleep(10_000)
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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw RedisTestError("no free TCP port: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// A raw PING over a plain blocking socket, independent of the client under test.
    static func answersPing(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let ping = Array("PING\r\n".utf8)
        guard send(fd, ping, ping.count, Int32(MSG_NOSIGNAL)) == ping.count else { return false }
        var reply = [UInt8](repeating: 0, count: 16)
        let count = recv(fd, &reply, reply.count, 0)
        return count >= 7 && String(decoding: reply[0..<7], as: UTF8.self) == "+PONG\r\n"
    }
}

struct RedisTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
