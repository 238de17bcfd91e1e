import Foundation
import Glibc

/// A prefix that runs a program somewhere else, e.g. `ip netns exec NAME`, or nothing.
struct Launcher: Sendable {
    var prefix: [String] = []
    static let direct = Launcher()

    func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        guard let first = prefix.first else { return (executable, arguments) }
        return (first, Array(prefix.dropFirst()) + [executable] + arguments)
    }
}

/// A running `numbers-server` and the port it listens on (127.0.0.1).
struct RunningServer {
    let process: ChildProcess
    let port: UInt16
}

/// Starts `numbers-server` with `arguments` plus `-port`, and waits (at most 5 s) until it is
/// listening: its port shows up in /proc/PID/net/udp, or it has printed its `listening on` line.
/// Readiness does not depend on its stdout, which a pipe may buffer. If the port was taken in
/// the meantime (the server exits at once), it tries again with another.
func startServer(_ group: ChildGroup, _ arguments: [String], launcher: Launcher = .direct) async throws -> RunningServer {
    var lastTranscript = ""
    for _ in 0..<3 {
        let port = try freeUDPPort()
        let (executable, argv) = launcher.command(try Executables.server, ["-port", "\(port)"] + arguments)
        let server = try group.spawn(executable, argv)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if udpPortIsBound(port, inNamespaceOf: server.pid)
                || server.outputLines.contains(where: { $0.hasPrefix("numbers-server: listening on") }) {
                return RunningServer(process: server, port: port)
            }
            if server.poll() != nil { break }
            blockingPause(milliseconds: 5)
        }
        server.kill()
        _ = await server.waitForExit(timeout: .seconds(1))
        lastTranscript = server.transcript
        guard server.standardError.contains("in use") else { break }
    }
    throw SpawnError(description: "numbers-server did not start listening within 20 s:\n\(lastTranscript)")
}

/// A finished (or timed-out and killed) client run.
struct ClientRun {
    let process: ChildProcess
    /// Nil when it did not exit within the time allowed (it has been killed since).
    let termination: Termination?
    let elapsed: Duration
    var stdout: String { process.standardOutput }
    var stderr: String { process.standardError }
    var report: ClientReport { ClientReport(process.outputLines) }
    var transcript: String { process.transcript + "\n[ran for \(elapsed)]" }
}

/// Runs `numbers-client` against 127.0.0.1:`port` to completion, for at most `timeout`.
func runClient(_ group: ChildGroup, port: UInt16, _ arguments: [String], timeout: Duration = .seconds(30),
               launcher: Launcher = .direct) async throws -> ClientRun {
    let client = try spawnClient(group, port: port, arguments, launcher: launcher)
    return await finish(client, timeout: timeout)
}

func spawnClient(_ group: ChildGroup, port: UInt16, _ arguments: [String], launcher: Launcher = .direct,
                 environment: [String: String] = [:]) throws -> ChildProcess {
    let (executable, argv) = launcher.command(try Executables.client, ["-port", "\(port)"] + arguments)
    return try group.spawn(executable, argv, environment: environment)
}

/// Waits for `client` to exit, at most `timeout`; kills it if it does not.
func finish(_ client: ChildProcess, timeout: Duration) async -> ClientRun {
    let termination = await client.waitForExit(timeout: timeout)
    let elapsed = client.elapsed
    if termination == nil { client.kill() }
    return ClientRun(process: client, termination: termination, elapsed: elapsed)
}

/// Stops a server with SIGINT and waits (bounded) for it to print its totals and exit.
@discardableResult
func stop(_ server: RunningServer, signal: Int32 = SIGINT, timeout: Duration = .seconds(5)) async -> Termination? {
    server.process.send(signal)
    return await server.process.waitForExit(timeout: timeout)
}

/// The `client ID: …` a client prints first, read while it runs.
///
/// The protocol's resume needs that ID, and a killed client has no other way to tell it, so it
/// must be on stdout as soon as the client starts, also when stdout is a pipe or a file (where
/// C stdio buffers whole blocks unless the program flushes or sets line buffering).
/// `liveWithin` bounds the wait for the line on a plain pipe.
struct LiveClient: Sendable {
    let process: ChildProcess
    let clientID: String
    /// False when the ID did not show up on a plain pipe and the client had to be started
    /// again under `stdbuf -oL` (see `startClientShowingID`).
    let idWasLive: Bool
}

/// What a test records when `startClientShowingID` had to fall back to `stdbuf -oL`.
let clientIDNotLive = """
    numbers-client's first stdout line (`client ID: …`) did not reach the pipe within 2 s while the client ran: \
    stdout is block-buffered when it is not a terminal, so a client that is killed never shows the ID that resumes \
    its session. (Continued under `stdbuf -oL` to test the resume itself.)
    """

/// Starts a client and reads its client ID from its first stdout line while it runs. If the
/// line does not show up within `liveWithin` (stdout block-buffered), that is recorded by the
/// caller via `idWasLive == false`; this client is killed and another one started under
/// `stdbuf -oL`, so that the rest of the test can still exercise what it is about.
func startClientShowingID(_ group: ChildGroup, port: UInt16, _ arguments: [String],
                          liveWithin: Duration = .seconds(2)) async throws -> LiveClient {
    let client = try spawnClient(group, port: port, arguments)
    if let line = await client.waitForLine(timeout: liveWithin, where: { $0.hasPrefix("client ID: ") }) {
        return LiveClient(process: client, clientID: String(line.dropFirst("client ID: ".count)), idWasLive: true)
    }
    client.kill()
    let stdbuf = "/usr/bin/stdbuf"
    guard access(stdbuf, X_OK) == 0 else {
        throw SpawnError(description: "no `client ID:` line on stdout within \(liveWithin), and no stdbuf to work around it:\n\(client.transcript)")
    }
    let retry = try group.spawn(stdbuf, ["-oL", try Executables.client, "-port", "\(port)"] + arguments)
    guard let line = await retry.waitForLine(timeout: .seconds(5), where: { $0.hasPrefix("client ID: ") }) else {
        throw SpawnError(description: "no `client ID:` line on stdout even under stdbuf -oL:\n\(retry.transcript)")
    }
    return LiveClient(process: retry, clientID: String(line.dropFirst("client ID: ".count)), idWasLive: false)
}

/// What a client printed: the result block and the counter lines.
struct ClientReport {
    let lines: [String]
    init(_ lines: [String]) { self.lines = lines }

    /// Every `client ID: …` line's value (at the start, and again in the result).
    var clientIDs: [String] { lines.filter { $0.hasPrefix("client ID: ") }.map { String($0.dropFirst("client ID: ".count)) } }
    var n: String? { value(of: "n: ") }
    var sum: String? { value(of: "sum: ") }
    var expectedCRC: String? { value(of: "expected CRC-32C: ") }
    var computedCRC: String? { value(of: "computed CRC-32C: ") }
    var passed: Bool { lines.last == "PASS" }

    /// `rejected on arrival: N malformed or corrupt …`
    var corruptRejected: UInt64? { number(in: "rejected on arrival: ", before: " malformed or corrupt") }
    /// `sent: …; requested N ranges (…)`
    var rangesRequested: UInt64? { number(in: "sent: ", before: " ranges (") }
    /// `sent: …; N recoveries after silence`
    var recoveries: UInt64? { number(in: "sent: ", before: " recoveries after silence") }

    private func value(of prefix: String) -> String? {
        lines.last(where: { $0.hasPrefix(prefix) }).map { String($0.dropFirst(prefix.count)) }
    }

    /// The decimal number just before `marker` on the line starting with `linePrefix`.
    private func number(in linePrefix: String, before marker: String) -> UInt64? {
        guard let line = lines.last(where: { $0.hasPrefix(linePrefix) }),
              let range = line.range(of: marker) else { return nil }
        let digits = line[..<range.lowerBound].reversed().prefix(while: \.isNumber).reversed()
        return UInt64(String(digits))
    }
}

/// A lowercase 8-4-4-4-12 UUID.
func looksLikeUUID(_ text: String) -> Bool {
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
}

/// `0x` and 8 hex digits.
func looksLikeCRC(_ text: String?) -> Bool {
    guard let text, text.hasPrefix("0x") else { return false }
    let digits = text.dropFirst(2)
    return digits.count == 8 && digits.allSatisfy(\.isHexDigit)
}
