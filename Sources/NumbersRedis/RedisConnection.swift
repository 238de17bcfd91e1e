import Glibc
import NumbersProtocol

/// One TCP connection to Redis. Every operation is bounded by `timeout`: the socket is
/// non-blocking and each wait is a poll(2) with the time that remains. Any failure other than an
/// error reply closes the connection, because the stream can no longer be framed (a late reply
/// would be taken for the answer to the next command).
///
/// Not thread-safe: one thread uses a connection at a time.
package final class RedisConnection {
    package let endpoint: RedisEndpoint
    package let timeout: Double
    private var descriptor: Int32 = -1
    private var output: [UInt8] = []
    private var input: [UInt8] = []
    private var inputStart = 0

    /// Most bytes read per read(2).
    static let readChunk = 64 << 10

    /// Connects (and selects `endpoint.database`), all within `timeout` seconds.
    package init(endpoint: RedisEndpoint, timeout: Double) throws(RedisError) {
        precondition(timeout > 0)
        self.endpoint = endpoint
        self.timeout = timeout
        let deadline = Self.monotonicSeconds() + timeout
        descriptor = try Self.connect(endpoint, deadline: deadline)
        if endpoint.database != 0 {
            let reply = try pipeline([RedisCommand("SELECT", RedisArgument(endpoint.database))])[0]
            if case .error(let message) = reply {
                close()
                throw .connectFailed(endpoint: endpoint.description, reason: "SELECT \(endpoint.database): \(message)")
            }
        }
    }

    deinit { close() }

    package var isOpen: Bool { descriptor >= 0 }

    package func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
        input.removeAll(keepingCapacity: true)
        inputStart = 0
    }

    /// Sends every command in one write and reads one reply per command, in order: a whole batch
    /// costs one round trip. Error replies are returned as `.error` values, one per failed command.
    package func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        guard isOpen else { throw .connectionLost(endpoint: endpoint.description, reason: "not connected") }
        let deadline = Self.monotonicSeconds() + timeout
        output.removeAll(keepingCapacity: true)
        for command in commands { command.encode(into: &output) }
        let name = commands.count == 1 ? commands[0].name : "\(commands.count) pipelined commands"
        do throws(RedisError) {
            try writeAll(deadline: deadline, operation: name)
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            while replies.count < commands.count {
                replies.append(try readReply(deadline: deadline, operation: name))
            }
            return replies
        } catch {
            close()
            throw error
        }
    }

    /// One command, one reply.
    package func send(_ command: RedisCommand) throws(RedisError) -> RESPValue {
        try pipeline([command])[0]
    }

    // MARK: I/O

    private func writeAll(deadline: Double, operation: String) throws(RedisError) {
        var offset = 0
        while offset < output.count {
            let written = output.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 { offset += written; continue }
            let code = errno
            if written < 0 && code == EINTR { continue }
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                try wait(for: Int16(POLLOUT), deadline: deadline, operation: operation)
                continue
            }
            throw .connectionLost(endpoint: endpoint.description, reason: "send: \(Self.describe(code))")
        }
    }

    private func readReply(deadline: Double, operation: String) throws(RedisError) -> RESPValue {
        while true {
            if inputStart < input.count {
                let start = inputStart
                let parsed = try input.withUnsafeBytes { raw in
                    Result { () throws(RedisError) in try RESPParser.parse(UnsafeRawBufferPointer(rebasing: raw[start...])) }
                }.get()
                if let (value, consumed) = parsed {
                    inputStart += consumed
                    if inputStart == input.count { input.removeAll(keepingCapacity: true); inputStart = 0 }
                    return value
                }
            }
            if inputStart > 0 { input.removeFirst(inputStart); inputStart = 0 }
            try fill(deadline: deadline, operation: operation)
        }
    }

    private func fill(deadline: Double, operation: String) throws(RedisError) {
        let old = input.count
        input.append(contentsOf: repeatElement(0, count: Self.readChunk))
        while true {
            let received = input.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + old, Self.readChunk, 0) }
            if received > 0 { input.removeLast(Self.readChunk - received); return }
            let code = errno
            if received == 0 {
                input.removeLast(Self.readChunk)
                throw .connectionLost(endpoint: endpoint.description, reason: "closed by the server")
            }
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                do throws(RedisError) { try wait(for: Int16(POLLIN), deadline: deadline, operation: operation) } catch {
                    input.removeLast(Self.readChunk)
                    throw error
                }
                continue
            }
            input.removeLast(Self.readChunk)
            throw .connectionLost(endpoint: endpoint.description, reason: "recv: \(Self.describe(code))")
        }
    }

    private func wait(for events: Int16, deadline: Double, operation: String) throws(RedisError) {
        try Self.wait(descriptor, for: events, deadline: deadline, timeout: timeout, endpoint: endpoint, operation: operation)
    }

    private static func wait(_ descriptor: Int32, for events: Int16, deadline: Double, timeout: Double,
                             endpoint: RedisEndpoint, operation: String) throws(RedisError) {
        while true {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { throw .timedOut(endpoint: endpoint.description, operation: operation, after: timeout) }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Nanoseconds.seconds(remaining).pollMilliseconds(atMost: 60_000))
            if ready > 0 { return }   // readable, writable, or an error that the next call reports
            if ready < 0 && errno != EINTR {
                throw .connectionLost(endpoint: endpoint.description, reason: "poll: \(describe(errno))")
            }
        }
    }

    // MARK: Connecting

    private static func connect(_ endpoint: RedisEndpoint, deadline: Double) throws(RedisError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0 else {
            let reason = status == EAI_SYSTEM ? describe(errno) : String(cString: gai_strerror(status))
            throw .connectFailed(endpoint: endpoint.description, reason: "resolve \(endpoint.host): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var lastReason = "no address"
        var entry = list
        while let current = entry {
            entry = current.pointee.ai_next
            let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
            let fd = socket(current.pointee.ai_family, type, 0)
            guard fd >= 0 else { lastReason = "socket: \(describe(errno))"; continue }
            var one: Int32 = 1
            // Small pipelined commands must not wait for Nagle's algorithm.
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else { lastReason = describe(errno); Glibc.close(fd); continue }
            do throws(RedisError) {
                try wait(fd, for: Int16(POLLOUT), deadline: deadline, timeout: deadline - monotonicSeconds(), endpoint: endpoint, operation: "connect")
            } catch {
                Glibc.close(fd)
                if case .timedOut = error { lastReason = "no answer to connect in time" ; continue }
                throw error
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure == 0 { return fd }
            lastReason = describe(failure)
            Glibc.close(fd)
        }
        throw .connectFailed(endpoint: endpoint.description, reason: lastReason)
    }

    static func describe(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
