import Glibc

/// What it takes to run a throwaway redis-server beside a test or a benchmark: the command line
/// (loopback only, no persistence, in a directory of its own), a free port, and a readiness check.
/// The tests and `numbers-bench scale-redis` start the process their own way; this is the part
/// they share.
package enum ThrowawayRedis {
    /// redis-server's arguments (after the executable) for `port` and `directory`, in the
    /// foreground, saving nothing; its log goes to `logfile` if given, else to its stdout.
    package static func arguments(port: UInt16, directory: String, logfile: String? = nil) -> [String] {
        ["--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no"]
            + (logfile.map { ["--logfile", $0] } ?? [])
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released), or nil.
    package static func freeTCPPort() -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// A new empty directory `/tmp/<prefix>-XXXXXX`, or nil.
    package static func temporaryDirectory(prefix: String = "numbers-redis") -> String? {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return nil }
        return String(cString: made)
    }

    /// Whether a redis-server on 127.0.0.1:`port` answers a PING, sent over a plain blocking
    /// socket so that the check does not depend on `RedisClient`, which the tests exercise.
    package static func answersPing(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
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

    /// Polls `answersPing` every 10 ms until it answers (true), `hasExited` says the process is
    /// gone, or `seconds` pass (false).
    package static func waitUntilReady(port: UInt16, seconds: Double, hasExited: () -> Bool) -> Bool {
        var left = Int(seconds * 100)
        while left > 0 {
            if answersPing(port: port) { return true }
            if hasExited() { return false }
            usleep(10_000)
            left -= 1
        }
        return false
    }
}
