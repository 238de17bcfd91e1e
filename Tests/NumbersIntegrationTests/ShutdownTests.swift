import Glibc
import Testing

@Suite("Signals", .serialized)
struct ShutdownTests {
    @Test("the server exits 0 within 1 s on SIGINT and SIGTERM, naming the signal and printing totals",
          arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")])
    func serverShutdown(signal: Int32, name: String) async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "20ms"])
        // A session in the middle of its stream when the signal comes.
        let client = try spawnClient(group, port: server.port, ["-n", "1000"])
        blockingPause(milliseconds: 300)
        #expect(client.poll() == nil, "\(client.transcript)")

        let signalled = ContinuousClock.now
        server.process.send(signal)
        let termination = await server.process.waitForExit(timeout: .seconds(5))
        let took = ContinuousClock.now - signalled
        #expect(termination == .exited(0), "\(server.process.transcript)")
        #expect(took < .seconds(1), "took \(took)\n\(server.process.transcript)")

        let lines = server.process.outputLines
        #expect(lines.contains { $0.hasPrefix("numbers-server: caught \(name)") }, "\(server.process.transcript)")
        #expect(lines.contains { $0.contains("caught \(name), shutting down with 1 sessions open") }, "\(server.process.transcript)")
        for totals in ["numbers-server: received: ", "numbers-server: sent: ", "numbers-server: sessions: 1 created"] {
            #expect(lines.contains { $0.hasPrefix(totals) }, "totals line `\(totals)…`\n\(server.process.transcript)")
        }
    }

    /// SIGINT mid-transfer: status 130 and the command that resumes, which then works.
    @Test("a client interrupted by SIGINT exits 130 and prints how to resume, and that resume PASSes")
    func clientInterrupted() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "5ms"])

        let client = try spawnClient(group, port: server.port, ["-n", "300"])
        blockingPause(milliseconds: 400)
        #expect(client.poll() == nil, "still streaming\n\(client.transcript)")
        client.send(SIGINT)
        let run = await finish(client, timeout: .seconds(5))
        #expect(run.termination == .exited(130), "\(run.transcript)")
        let id = try #require(run.report.clientIDs.first, "\(run.transcript)")
        let resumeLine = try #require(run.process.outputLines.first { $0.contains("resume with:") }, "\(run.transcript)")
        #expect(resumeLine.contains(id), "\(run.transcript)")
        #expect(resumeLine.contains("-clientID \(id)"), "\(run.transcript)")
        #expect(resumeLine.contains("-port \(server.port)"), "\(run.transcript)")
        #expect(!run.report.passed, "\(run.transcript)")

        // Run what it says (with this build's client), from the flags after the program name.
        let suggested = resumeLine.components(separatedBy: "resume with:")[1].split(separator: " ").map(String.init)
        #expect(suggested.first == "numbers-client", "\(resumeLine)")
        let resume = try await runClient(group, port: server.port, Array(suggested.dropFirst()), timeout: .seconds(20))
        #expect(resume.termination == .exited(0), "\(resume.transcript)")
        #expect(resume.report.passed && resume.report.n == "300", "\(resume.transcript)")
    }
}
