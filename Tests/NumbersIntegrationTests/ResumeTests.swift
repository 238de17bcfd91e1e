import Glibc
import Testing

@Suite("Resuming a session from a new process", .serialized)
struct ResumeTests {
    /// Three sessions of 400 numbers, one number per 40 ms (slow enough that a loaded machine still kills them mid-stream), each client SIGKILLed after about
    /// 0.5 s. Then, from new processes: `-clientID A` (n from the session) and `-clientID B -n
    /// 400` both PASS; `-clientID C -n 401` fails on the count. A completed session is removed
    /// by its DONE, so each check needs a session of its own; the two full resumes (16 s each at
    /// this pace) run side by side.
    @Test("a SIGKILLed client's session is resumed by -clientID from a new process")
    func resumeAfterKill() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "40ms", "-batch", "1"])

        async let first = startClientShowingID(group, port: server.port, ["-n", "400"])
        async let second = startClientShowingID(group, port: server.port, ["-n", "400"])
        async let third = startClientShowingID(group, port: server.port, ["-n", "400"])
        let killed = try await [first, second, third]
        if killed.contains(where: { !$0.idWasLive }) { Issue.record(Comment(rawValue: clientIDNotLive)) }
        blockingPause(milliseconds: 500)
        for client in killed {
            #expect(client.process.poll() == nil, "still streaming when killed\n\(client.process.transcript)")
            client.process.kill()
        }
        for client in killed { #expect(looksLikeUUID(client.clientID), "\(client.clientID)") }
        let (a, b, c) = (killed[0].clientID, killed[1].clientID, killed[2].clientID)

        // The wrong count: refused as soon as the first DATA shows the session's total.
        let wrong = try await runClient(group, port: server.port, ["-clientID", c, "-n", "401"], timeout: .seconds(10))
        #expect(wrong.termination != nil && wrong.termination != .exited(0), "\(wrong.transcript)")
        #expect(wrong.termination == .exited(3), "documented: 3 = refused by the server\n\(wrong.transcript)")
        #expect(wrong.stderr.contains("400") && wrong.stderr.contains("401"), "names both counts\n\(wrong.transcript)")
        #expect(wrong.elapsed < .seconds(5), "\(wrong.transcript)")
        #expect(!wrong.report.passed, "\(wrong.transcript)")

        // No -n: the count comes from the session. And -n equal to the session's count.
        let resumeA = try spawnClient(group, port: server.port, ["-clientID", a])
        let resumeB = try spawnClient(group, port: server.port, ["-clientID", b, "-n", "400"])
        let runA = await finish(resumeA, timeout: .seconds(60))
        let runB = await finish(resumeB, timeout: .seconds(60))
        for (run, id) in [(runA, a), (runB, b)] {
            #expect(run.termination == .exited(0), "\(run.transcript)")
            #expect(run.report.passed, "\(run.transcript)")
            #expect(run.report.n == "400", "\(run.transcript)")
            #expect(run.report.clientIDs.allSatisfy { $0 == id } && !run.report.clientIDs.isEmpty, "\(run.transcript)")
            #expect(run.report.expectedCRC == run.report.computedCRC, "\(run.transcript)")
        }

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        let log = server.process.outputLines
        for id in [a, b] {
            #expect(log.contains { $0.hasPrefix("session \(id): resumed") }, "server logged the resume of \(id)\n\(server.process.transcript)")
            #expect(log.contains { $0.hasPrefix("session \(id): completed, n=400") }, "\(server.process.transcript)")
        }
    }

    /// With `-sessionTTL 1s` the session of a killed client is gone 2 s later: the resume is
    /// refused at once with status 3, not retried until -giveUpAfter.
    @Test("resuming an expired session is refused quickly with status 3")
    func refusedResume() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-sessionTTL", "1s", "-interval", "50ms"])

        let first = try await startClientShowingID(group, port: server.port, ["-n", "1000"])
        if !first.idWasLive { Issue.record(Comment(rawValue: clientIDNotLive)) }
        blockingPause(milliseconds: 300)
        #expect(first.process.poll() == nil, "\(first.process.transcript)")
        first.process.kill()
        blockingPause(milliseconds: 2000)

        let resume = try await runClient(group, port: server.port, ["-clientID", first.clientID], timeout: .seconds(10))
        #expect(resume.termination == .exited(3), "\(resume.transcript)")
        #expect(resume.elapsed < .seconds(2), "refused at once, no retry loop\n\(resume.transcript)")
        let stderr = resume.stderr.lowercased()
        #expect(stderr.contains("expired") || stderr.contains("unknown"), "\(resume.transcript)")
        #expect(!resume.report.passed, "\(resume.transcript)")

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        #expect(server.process.outputLines.contains { $0.hasPrefix("session \(first.clientID): expired") },
                "server logged the expiry\n\(server.process.transcript)")
    }
}
