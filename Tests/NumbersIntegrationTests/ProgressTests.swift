import Foundation
import Glibc
import Testing

/// The client's status line, with the real binary: under a pseudo-terminal (`script` from
/// bsdutils gives the client a terminal as its stdin, stdout and stderr) and on plain pipes.
@Suite("The client's progress line", .serialized)
struct ProgressTests {
    static let tools = [("script", "bsdutils")]
    static let erase = "\u{1B}[K"

    /// Runs the client under a pseudo-terminal; everything it wrote, as the terminal got it.
    static func underTerminal(port: UInt16, _ arguments: [String]) throws -> (status: Termination?, output: String, seconds: Double) {
        let command = ([try Executables.client, "-port", "\(port)"] + arguments).joined(separator: " ")
        let started = ContinuousClock.now
        let child = try ChildProcess.spawn(DebianTools.find("script")!, ["-q", "-e", "-f", "-c", command, "/dev/null"])
        let deadline = ContinuousClock.now + .seconds(30)
        while (child.poll() == nil || !child.isDrained) && ContinuousClock.now < deadline { usleep(5_000) }
        let elapsed = ContinuousClock.now - started
        return (child.poll(), child.standardOutput, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test("on a terminal: redrawn in place at most 10 times a second, with every figure, erased before the result",
          .enabled(if: DebianTools.canRun(tools), DebianTools.skipComment(tools)), .timeLimit(.minutes(1)))
    func onTerminal() async throws {
        if let missing = DebianTools.missing(Self.tools) { Issue.record("CI=true: \(missing)"); return }
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "2ms", "-batch", "10", "-quiet", "-dropRate", "0.05"])
        let run = try Self.underTerminal(port: server.port, ["-n", "8000", "-dropRate", "0.05"])
        #expect(run.status == .exited(0), "\(run.output)")
        let draws = run.output.components(separatedBy: Self.erase).count - 1
        #expect(draws >= 5, "a 1.6 s transfer is drawn several times: \(draws)\n\(run.output)")
        #expect(Double(draws) <= run.seconds * 10 + 2, "at most 10 redraws a second: \(draws) in \(run.seconds) s")
        let lines = run.output.components(separatedBy: "\r").filter { $0.hasSuffix(Self.erase) && $0.count > Self.erase.count }
        let last = try #require(lines.last, "\(run.output)")
        for part in [" of 8,000 (", "%)", "numbers/s", "missing ", "requested ", " ranges", " probes", "RTT ", "ETA "] {
            #expect(last.contains(part), "status line shows \(part): \(last)")
        }
        #expect(lines.contains { $0.contains("requested") && !$0.contains("requested 0 ranges") }, "5% loss: ranges requested")
        #expect(run.output.contains("\r" + Self.erase + "received:"), "the line is erased before the counters\n\(run.output)")
        #expect(run.output.contains("PASS"))

        // -progress=false: none, even on a terminal.
        let quiet = try Self.underTerminal(port: server.port, ["-n", "2000", "-progress=false"])
        #expect(quiet.status == .exited(0) && !quiet.output.contains("numbers/s"), "\(quiet.output)")
    }

    @Test("off a terminal: no status line, unless -progress, then plain lines")
    func offTerminal() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "1ms", "-batch", "1", "-quiet"])
        let plain = try await runClient(group, port: server.port, ["-n", "1500"])
        #expect(plain.termination == .exited(0), "\(plain.transcript)")
        #expect(!plain.stderr.contains("numbers/s") && !plain.stdout.contains("numbers/s"), "\(plain.transcript)")

        let asked = try await runClient(group, port: server.port, ["-n", "1500", "-progress"])
        #expect(asked.termination == .exited(0), "\(asked.transcript)")
        let lines = asked.stderr.split(separator: "\n").filter { $0.contains("numbers/s") }
        #expect(lines.count >= 1 && !asked.stderr.contains("\r") && !asked.stderr.contains(Self.erase), "\(asked.transcript)")
        #expect(asked.stdout.contains("PASS"))
    }
}
