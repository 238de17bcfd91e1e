import Glibc
import Testing

@Suite("Many clients, one server", .serialized)
struct ConcurrencyTests {
    @Test("50 concurrent clients of 5 000 numbers each all PASS, and the server logs 50 completions")
    func fiftyClients() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "0", "-batch", "20"])

        let clients = try (0..<50).map { _ in try spawnClient(group, port: server.port, ["-n", "5000"]) }
        var ids: Set<String> = []
        for client in clients {
            let run = await finish(client, timeout: .seconds(60))
            #expect(run.termination == .exited(0), "\(run.transcript)")
            #expect(run.report.passed, "\(run.transcript)")
            #expect(run.report.n == "5000", "\(run.transcript)")
            if let id = run.report.clientIDs.first { ids.insert(id) }
        }
        #expect(ids.count == 50, "50 distinct client IDs")

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        let completed = server.process.outputLines.filter { $0.hasPrefix("session ") && $0.contains(": completed, n=5000") }
        #expect(completed.count == 50, "\(server.process.transcript)")
        let completedIDs = Set(completed.map { $0.dropFirst("session ".count).prefix(while: { $0 != ":" }) }.map(String.init))
        #expect(completedIDs == ids, "the server completed exactly the clients' sessions")
        #expect(server.process.outputLines.contains { $0.hasPrefix("numbers-server: sessions: 50 created") && $0.contains(" 50 completed") },
                "totals count 50 completions\n\(server.process.transcript)")
    }
}
