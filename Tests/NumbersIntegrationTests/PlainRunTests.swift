import Glibc
import Testing

@Suite("Plain runs over loopback", .serialized)
struct PlainRunTests {
    @Test("20 000 numbers at full speed: PASS with the whole result block")
    func fullSpeed() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "0", "-batch", "50"])

        let run = try await runClient(group, port: server.port, ["-n", "20000"], timeout: .seconds(20))
        #expect(run.termination == .exited(0), "\(run.transcript)")
        let report = run.report
        #expect(report.clientIDs.count == 2, "the ID at the start and in the result\n\(run.transcript)")
        #expect(report.clientIDs.allSatisfy(looksLikeUUID), "\(run.transcript)")
        #expect(Set(report.clientIDs).count == 1, "\(run.transcript)")
        #expect(report.n == "20000", "\(run.transcript)")
        #expect(report.sum.flatMap { UInt64($0) } != nil, "\(run.transcript)")
        #expect(looksLikeCRC(report.expectedCRC), "\(run.transcript)")
        #expect(looksLikeCRC(report.computedCRC), "\(run.transcript)")
        #expect(report.expectedCRC == report.computedCRC, "\(run.transcript)")
        #expect(report.passed, "last line PASS\n\(run.transcript)")
        #expect(run.stderr.isEmpty, "\(run.transcript)")
    }

    /// The one-datagram window once collapsed: every arrival gap held the client's own ACK, the
    /// pace estimate grew with the ACK delay it set, and after 90 s half the numbers had come.
    /// Real processes over loopback, small windows with small and large batches, fifty window
    /// rounds each: each completes within seconds. That no probe is needed is shown where it can
    /// be, without a scheduler in the way (`WindowRangeSimulationTests`, and
    /// `ackClockedStreamRecoversFromAStall` for the stall of either process that once clocked this
    /// stream by probes); here, on a machine running the other suites at once, processes not
    /// scheduled for longer than the 5 ms probe timeout draw probes in up to half the rounds.
    @Test("-window 294 -batch 294 and other windows: PASS within seconds", arguments: [
        (window: 294, batch: 294), (window: 294, batch: 1), (window: 4_096, batch: 294), (window: 4_096, batch: 7),
    ])
    func smallWindowsRunWithoutProbes(window: Int, batch: Int) async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "0", "-batch", "\(batch)", "-window", "\(window)"])

        let n = window * 50 + (batch == 1 ? 0 : 7)
        let run = try await runClient(group, port: server.port, ["-n", "\(n)"], timeout: .seconds(60))
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(run.report.passed, "\(run.transcript)")
        #expect(run.elapsed < .seconds(20), "the stream stalled\n\(run.transcript)")
    }

    @Test("-interval 10ms really paces: 20 numbers one at a time take at least 190 ms")
    func pacing() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "10ms"])

        let run = try await runClient(group, port: server.port, ["-n", "20"], timeout: .seconds(10))
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(run.report.passed, "\(run.transcript)")
        #expect(run.report.n == "20", "\(run.transcript)")
        // 20 DATA, the first at once and then one per 10 ms: the last leaves 190 ms after the first.
        #expect(run.elapsed >= .milliseconds(190), "finished in \(run.elapsed): pacing not applied\n\(run.transcript)")
        #expect(run.elapsed < .seconds(5), "\(run.transcript)")
    }

    /// A log or a client ID is only useful if it is there while the program runs: a client that
    /// is killed must already have shown the ID that resumes it, and `numbers-server | tee log`
    /// must show sessions as they happen. C stdio buffers whole blocks when stdout is a pipe or a
    /// file, unless the program flushes or asks for line buffering.
    @Test("stdout reaches a pipe line by line, while the programs run")
    func stdoutIsLive() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "20ms"])
        let listening = await server.process.waitForLine(timeout: .seconds(2)) { $0.hasPrefix("numbers-server: listening on") }
        #expect(listening != nil, "numbers-server is listening but its `listening on` line has not reached the pipe after 2 s: stdout is block-buffered\n\(server.process.transcript)")

        let client = try spawnClient(group, port: server.port, ["-n", "1000"])
        let idLine = await client.waitForLine(timeout: .seconds(2)) { $0.hasPrefix("client ID: ") }
        #expect(idLine != nil, "numbers-client is streaming but its `client ID:` line has not reached the pipe after 2 s: stdout is block-buffered, so a killed client loses the ID it needs to resume\n\(client.transcript)")

        let sessionLine = await server.process.waitForLine(timeout: .seconds(2)) { $0.contains(": new, n=1000") }
        #expect(sessionLine != nil, "numbers-server has not logged the new session after 2 s\n\(server.process.transcript)")
    }
}
