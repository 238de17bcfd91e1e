import Foundation
import Glibc
import Synchronization

/// How a child process ended.
enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

/// A child process with its stdout and stderr on pipes, each drained by its own thread into a
/// buffer, so the child never blocks on a full pipe and the test can look at the output at any
/// time. Every wait is bounded. `kill()` is idempotent and always reaps, so it can run in a
/// `defer` whether or not the test got as far as waiting.
///
/// Spawned with posix_spawn: stdin is /dev/null; the signal mask is emptied and SIGINT, SIGTERM
/// and SIGPIPE are reset to their defaults, because the test runner's threads block signals and
/// a child would inherit that mask. The pipes are created close-on-exec, so a child spawned by
/// a concurrently running test never holds another child's pipe open.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// For messages: the command as a shell would show it.
    let commandLine: String
    let started: ContinuousClock.Instant

    private struct State {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutClosed = false
        var stderrClosed = false
        var termination: Termination?
    }
    private let state = Mutex(State())

    private init(pid: pid_t, commandLine: String, stdoutFD: Int32, stderrFD: Int32) {
        self.pid = pid
        self.commandLine = commandLine
        self.started = ContinuousClock.now
        Self.drain(stdoutFD, into: self, isStdout: true)
        Self.drain(stderrFD, into: self, isStdout: false)
    }

    /// Starts `executable` (a path) with `arguments`, and the environment of this process plus
    /// `environment`.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let outPipe = try closeOnExecPipe()
        let errPipe: [Int32]
        do { errPipe = try closeOnExecPipe() } catch {
            close(outPipe[0]); close(outPipe[1])
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        let shown = ([executable] + arguments).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        return ChildProcess(pid: pid, commandLine: shown, stdoutFD: outPipe[0], stderrFD: errPipe[0])
    }

    private static func drain(_ fd: Int32, into child: ChildProcess, isStdout: Bool) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                child.state.withLock { state in
                    if isStdout { state.stdout += buffer[0..<count] } else { state.stderr += buffer[0..<count] }
                }
            }
            close(fd)
            child.state.withLock { state in
                if isStdout { state.stdoutClosed = true } else { state.stderrClosed = true }
            }
        }
    }

    // MARK: Output

    var standardOutput: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    var standardError: String { state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
    /// Complete lines of stdout so far: a last line without its newline is left out until the
    /// pipe closes.
    var outputLines: [String] { state.withLock { Self.lines(of: $0.stdout, closed: $0.stdoutClosed) } }
    var errorLines: [String] { state.withLock { Self.lines(of: $0.stderr, closed: $0.stderrClosed) } }

    private static func lines(of bytes: [UInt8], closed: Bool) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let complete: Substring
        if closed {
            if text.isEmpty { return [] }
            complete = text.hasSuffix("\n") ? text.dropLast() : text[...]
        } else {
            guard let lastNewline = text.lastIndex(of: "\n") else { return [] }
            complete = text[..<lastNewline]
        }
        return complete.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Waits until a complete stdout line satisfies `predicate`, the pipe closes, or `timeout`.
    func waitForLine(timeout: Duration, where predicate: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = outputLines.first(where: predicate) { return line }
            if state.withLock({ $0.stdoutClosed }) || ContinuousClock.now >= deadline { return nil }
            blockingPause(milliseconds: 5)
        }
    }

    // MARK: Lifetime

    var elapsed: Duration { ContinuousClock.now - started }

    /// Sends `signal` unless the process has already been reaped (its PID may be reused).
    func send(_ signal: Int32) {
        state.withLock { state in
            if state.termination == nil { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Reaps the child if it has exited, without blocking. Only this object ever waits on `pid`.
    @discardableResult
    func poll() -> Termination? {
        state.withLock { state in
            if let termination = state.termination { return termination }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid else { return nil }
            let signal = status & 0x7f
            state.termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
            return state.termination
        }
    }

    /// True once both pipes have been read to their end.
    var isDrained: Bool { state.withLock { $0.stdoutClosed && $0.stderrClosed } }

    /// Waits until the child has exited and its output has been read to the end, for at most
    /// `timeout`. Nil if it is still running then (it is left running: see `kill()`).
    func waitForExit(timeout: Duration) async -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while poll() == nil {
            if ContinuousClock.now >= deadline { return nil }
            blockingPause(milliseconds: 5)
        }
        // The pipes close when the child's last descriptor goes; give the readers a moment.
        let drainDeadline = ContinuousClock.now + .seconds(2)
        while !isDrained && ContinuousClock.now < drainDeadline {
            blockingPause(milliseconds: 2)
        }
        return poll()
    }

    /// SIGKILL unless already reaped, then reap (blocking briefly: SIGKILL cannot be caught).
    /// Safe to call any number of times, from a `defer`.
    func kill() {
        guard poll() == nil else { return }
        send(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(20)
        while poll() == nil && ContinuousClock.now < deadline { usleep(1_000) }
    }

    /// Everything a failure message needs to explain itself.
    var transcript: String {
        let status = state.withLock { $0.termination }.map { "\($0)" } ?? "still running"
        return """
            $ \(commandLine)   [\(status)]
            --- stdout ---
            \(standardOutput)
            --- stderr ---
            \(standardError)
            """
    }
}

/// pipe2(2) with O_CLOEXEC: atomic, unlike pipe() then fcntl(), which would let a child that
/// another test spawns in between inherit the pipe and hold it open. Glibc's Swift module does
/// not declare pipe2 (it is behind _GNU_SOURCE), so it is looked up at run time.
private func closeOnExecPipe() throws -> [Int32] {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    guard let symbol = dlsym(nil, "pipe2") else { throw SpawnError(description: "pipe2 not found in libc") }
    let pipe2 = unsafeBitCast(symbol, to: Pipe2.self)
    var fds: [Int32] = [-1, -1]
    guard pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError(description: "pipe2: \(String(cString: strerror(errno)))") }
    return fds
}

/// Children of one test: each is SIGKILLed and reaped by `killAll()`, which the test calls in a
/// `defer`, so nothing outlives the test even when it fails or throws.
final class ChildGroup: Sendable {
    private let children = Mutex<[ChildProcess]>([])

    func spawn(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let child = try ChildProcess.spawn(executable, arguments, environment: environment)
        children.withLock { $0.append(child) }
        return child
    }

    func killAll() {
        for child in children.withLock({ $0 }) { child.kill() }
    }
}

/// Runs a short command to completion (bounded), for setup and cleanup such as `ip netns`.
/// Synchronous so that it can run in a `defer`.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(10)) -> (termination: Termination?, output: String) {
    guard let child = try? ChildProcess.spawn(executable, arguments) else { return (nil, "cannot start \(executable)") }
    let deadline = ContinuousClock.now + timeout
    while child.poll() == nil && ContinuousClock.now < deadline { usleep(2_000) }
    if child.poll() == nil { child.kill() }
    let drainDeadline = ContinuousClock.now + .seconds(1)
    while ContinuousClock.now < drainDeadline && !child.isDrained { usleep(1_000) }
    return (child.poll(), child.standardOutput + child.standardError)
}

/// Waits on this thread rather than suspending: a suspended test resumes only when the test
/// runner's few shared threads are free, and CPU-heavy tests running beside it (the simulation,
/// the fuzz replays) would stretch every timeout measured here.
func blockingPause(milliseconds: UInt32) {
    usleep(milliseconds * 1_000)
}
