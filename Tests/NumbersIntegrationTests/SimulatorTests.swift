import Glibc
import Testing

@Suite("The loss simulator over real sockets", .serialized)
struct SimulatorTests {
    static let impairments = ["-dropRate", "0.2", "-duplicateRate", "0.05", "-reorderRate", "0.05",
                              "-corruptRate", "0.02", "-delay", "2ms", "-jitter", "1ms"]

    @Test("loss, duplicates, reordering, corruption and delay on both sides: 20 000 numbers PASS")
    func everythingAtOnce() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "0", "-batch", "10"] + Self.impairments)

        let run = try await runClient(group, port: server.port, ["-n", "20000"] + Self.impairments, timeout: .seconds(60))
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(run.report.passed && run.report.n == "20000", "\(run.transcript)")
        #expect(run.report.expectedCRC == run.report.computedCRC, "\(run.transcript)")
        // The server's simulator flipped bits in about 2% of ~2 000 datagrams; the client's
        // CRC-32C check must have thrown those away (and still got everything).
        let corrupt = try #require(run.report.corruptRejected, "a `rejected on arrival:` line\n\(run.transcript)")
        #expect(corrupt > 0, "corrupt datagrams rejected\n\(run.transcript)")
        #expect((run.report.rangesRequested ?? 0) > 0, "losses were repaired by NACKs\n\(run.transcript)")
        #expect(run.stdout.contains("simulator: "), "the client reports its simulator\n\(run.transcript)")

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        #expect(server.process.outputLines.contains { $0.hasPrefix("numbers-server: simulator: ") }, "\(server.process.transcript)")
    }

    /// Every 200th datagram the server sends fails and takes it offline for 2 s. With one number
    /// per DATA that is 15 outages, about 37 s; with 10 per DATA it is one or two, so the run
    /// stays a few seconds and still has to come back from silence.
    @Test("the server going offline for 2 s every 200 datagrams: PASS after recovering from silence")
    func outages() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "1ms", "-batch", "10", "-failEvery", "200", "-goOfflineFor", "2s"])

        let run = try await runClient(group, port: server.port, ["-n", "3000"], timeout: .seconds(60))
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(run.report.passed && run.report.n == "3000", "\(run.transcript)")
        let recoveries = try #require(run.report.recoveries, "a `recoveries after silence` count\n\(run.transcript)")
        #expect(recoveries >= 1, "\(run.transcript)")

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        let failedLine = server.process.outputLines.first { $0.contains("simulator: failed ") }
        #expect(failedLine.map { !$0.contains("failed 0,") } == true, "the server's simulator did fail sends\n\(server.process.transcript)")
    }
}
