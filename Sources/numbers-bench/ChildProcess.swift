import Glibc
import NumbersProtocol
import NumbersTransport
import Synchronization

/// A child process started with posix_spawn. Its stdout and stderr go to files (never pipes, so a
/// chatty child can never block on a full pipe while the benchmark is busy measuring).
final class ChildProcess {
    let pid: pid_t
    let command: String
    let outputPath: String?
    private(set) var exitStatus: Int32?
    private(set) var signalled: Int32?

    /// Standard output and error: into `outputPath` (both), or /dev/null when nil.
    init(_ arguments: [String], outputPath: String?) throws(BenchError) {
        precondition(!arguments.isEmpty)
        command = arguments.joined(separator: " ")
        self.outputPath = outputPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // A small fixed environment (the caller's PATH, so tools are found as in the shell), which
        // keeps runs comparable.
        var path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        if let inherited = getenv("PATH") { path = String(cString: inherited) + ":" + path }
        let environment = ["PATH=" + path, "LANG=C"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        let status = posix_spawnp(&child, arguments[0], &actions, nil, argv, envp)
        guard status == 0 else {
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    deinit {
        if exitStatus == nil && signalled == nil {
            kill(pid, SIGKILL)
            _ = wait(timeout: 5)
        }
    }

    var isRunning: Bool {
        if exitStatus != nil || signalled != nil { return false }
        return !reap(block: false)
    }

    /// Reaps the child if it has ended; true once it has.
    private func reap(block: Bool) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, block ? 0 : WNOHANG)
        if result == pid {
            // WIFEXITED / WEXITSTATUS / WTERMSIG are macros, spelled out here.
            if status & 0x7f == 0 { exitStatus = (status >> 8) & 0xff } else { signalled = status & 0x7f }
            return true
        }
        if result < 0 && errno != EINTR {
            exitStatus = -1
            return true
        }
        return false
    }

    /// Waits up to `timeout` seconds (nil: forever) and returns the exit status (128 + signal when
    /// killed), or nil if the child is still running.
    @discardableResult
    func wait(timeout: Double?) -> Int32? {
        let deadline = timeout.map { MonotonicClock.now() + .seconds($0) }
        while true {
            if let exitStatus { return exitStatus }
            if let signalled { return 128 + signalled }
            if reap(block: false) { continue }
            if let deadline, MonotonicClock.now() >= deadline { return nil }
            sleep(seconds: 0.000_5)
        }
    }

    func signal(_ number: Int32) {
        guard exitStatus == nil && signalled == nil else { return }
        kill(pid, number)
    }

    /// SIGINT, then SIGKILL if it has not ended within `grace` seconds.
    @discardableResult
    func stop(grace: Double = 5) -> Int32? {
        signal(SIGINT)
        if let status = wait(timeout: grace) { return status }
        signal(SIGKILL)
        return wait(timeout: 5)
    }

    var output: String { outputPath.flatMap(readTextFile) ?? "" }

    /// Whether the process (in whatever network namespace it runs) has a socket bound to `port`:
    /// how the benchmark knows a server is ready, since a child's stdout into a file is buffered.
    func hasBound(port: UInt16, tcp: Bool) -> Bool {
        guard let table = readTextFile("/proc/\(pid)/net/\(tcp ? "tcp" : "udp")") else { return false }
        var hex = String(port, radix: 16, uppercase: true)
        hex = ":" + String(repeating: "0", count: 4 - hex.count) + hex
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            // A TCP listener is in state 0A (LISTEN); a bound UDP socket is 07.
            if fields.count > 3, fields[1].hasSuffix(hex), !tcp || fields[3] == "0A" { return true }
        }
        return false
    }

    /// Waits until `hasBound(port:tcp:)`; throws if the process ends or `timeout` passes first.
    func waitUntilBound(port: UInt16, tcp: Bool, timeout: Double = 10) throws(BenchError) {
        let start = MonotonicClock.now()
        while !hasBound(port: port, tcp: tcp) {
            guard isRunning else { throw BenchError("\(command) exited early: \(output.trimmingTrailingNewlines)") }
            guard seconds(since: start) < timeout else { throw BenchError("\(command) did not bind port \(port) within \(Int(timeout)) s") }
            sleep(seconds: 0.005)
        }
    }

    /// The resident set size (VmRSS) from /proc/PID/statm, in bytes; nil once the process is gone.
    var residentBytes: Int? {
        guard let statm = readTextFile("/proc/\(pid)/statm") else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// CPU time the process has used so far, in seconds: in user space and in the kernel.
    var cpuTimes: (user: Double, system: Double)? {
        guard let stat = readTextFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime field 14, stime field 15 (1-based, whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user / tick, system / tick)
    }

    var cpuSeconds: Double? { cpuTimes.map { $0.user + $0.system } }
}

/// Runs a command to completion and returns its exit status and output.
@discardableResult
func run(_ arguments: [String], timeout: Double = 30) throws(BenchError) -> (status: Int32, output: String) {
    let path = temporaryPath("cmd")
    defer { unlink(path) }
    let child = try ChildProcess(arguments, outputPath: path)
    guard let status = child.wait(timeout: timeout) else {
        child.stop(grace: 1)
        throw BenchError("\(child.command) did not finish within \(Int(timeout)) s")
    }
    return (status, child.output)
}

/// Runs a command that must succeed.
func runChecked(_ arguments: [String], timeout: Double = 30) throws(BenchError) {
    let (status, output) = try run(arguments, timeout: timeout)
    guard status == 0 else {
        throw BenchError("\(arguments.joined(separator: " ")) failed (status \(status)): \(output.trimmingTrailingNewlines)")
    }
}

private let temporaryCounter = Atomic<Int>(0)

/// A fresh path under /tmp for one child's output.
func temporaryPath(_ label: String) -> String {
    let number = temporaryCounter.add(1, ordering: .relaxed).newValue
    return "/tmp/numbers-bench-\(getpid())-\(number)-\(label).out"
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
