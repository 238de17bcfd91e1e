import Glibc
import Testing

@Suite("No server", .serialized)
struct NoServerTests {
    /// Nothing bound to the port: the kernel answers with ICMP port unreachable.
    @Test("nothing listening: status 4 within 3 s with a no-answer message")
    func nothingListening() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let port = try freeUDPPort()

        let run = try await runClient(group, port: port, ["-n", "100", "-giveUpAfter", "1s"], timeout: .seconds(10))
        #expect(run.termination == .exited(4), "\(run.transcript)")
        #expect(run.elapsed < .seconds(3), "\(run.transcript)")
        #expect(run.stderr.lowercased().contains("no answer"), "\(run.transcript)")
        #expect(!run.report.passed, "\(run.transcript)")
    }

    /// A socket that takes everything and answers nothing (a black hole): the client must back
    /// off, not spin. Its OPEN rounds are 100 ms, 100 ms, 200 ms, 400 ms, 800 ms, then about 1 s
    /// apart, in 2, 4, 6 and then 8 copies: about 110 datagrams in 10 s, under the bound of 15 a
    /// second averaged over 10 s.
    @Test("a silent listener: status 4 at -giveUpAfter, and at most 15 datagrams a second over 10 s (no busy loop)")
    func silentListener() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let listener = try LoopbackUDPSocket()

        let run = try await runClient(group, port: listener.port, ["-n", "100", "-giveUpAfter", "10s"], timeout: .seconds(30))
        let received = listener.drainCount()
        #expect(run.termination == .exited(4), "\(run.transcript)")
        #expect(run.elapsed >= .seconds(10) && run.elapsed < .seconds(12), "\(run.transcript)")
        #expect(run.stderr.lowercased().contains("no answer"), "\(run.transcript)")
        #expect(received >= 1, "the client did try")
        #expect(received <= 150, "\(received) datagrams in about 10 s\n\(run.transcript)")
    }
}
