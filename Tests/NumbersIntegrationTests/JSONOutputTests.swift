import Foundation
import Glibc
import Testing

/// `-json` on both executables, read back with Foundation's JSON parser.
@Suite("JSON output of the client and the server", .serialized)
struct JSONOutputTests {
    static func object(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(text)")
    }

    static func serverLines(_ server: RunningServer) throws -> [[String: Any]] {
        try server.process.outputLines.filter { !$0.isEmpty }.map(object)
    }

    static let clientCounterKeys = ["datagramsReceived", "dataReceived", "numbersReceived", "duplicateNumbers", "outsideWindow",
                                    "trailersReceived", "challengesReceived", "decodeErrors", "invalidDropped", "datagramsSent",
                                    "opensSent", "acksSent", "probesSent", "rangesRequested", "numbersRequested", "recoveries"]

    @Test("a lossy transfer: the client's one object and the server's event lines agree")
    func lossyTransfer() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-json", "-interval", "0", "-batch", "50", "-dropRate", "0.05", "-lossSeed", "7"])
        let run = try await runClient(group, port: server.port, ["-json", "-n", "20000", "-dropRate", "0.05", "-lossSeed", "8"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        let report = try Self.object(run.stdout)

        #expect(report["schema"] as? String == "numbers-client/1")
        #expect(report["result"] as? String == "pass")
        #expect(report["exitStatus"] as? Int == 0)
        #expect(report["n"] as? Int == 20000 && report["inOrder"] as? Int == 20000)
        let id = try #require(report["clientID"] as? String)
        #expect(looksLikeUUID(id))
        #expect(run.stderr.contains("client ID: \(id)"), "the ID is on stderr at start\n\(run.transcript)")
        #expect(looksLikeCRC(report["computedCRC"] as? String) && report["computedCRC"] as? String == report["expectedCRC"] as? String)
        let sum = try #require((report["sum"] as? NSNumber)?.uint64Value)
        #expect(sum > 0 && sum == (report["expectedSum"] as? NSNumber)?.uint64Value)
        #expect((report["durationSeconds"] as? Double ?? 0) > 0)
        #expect(report["duration"] is String && report["server"] as? String == "127.0.0.1:\(server.port)")
        #expect((report["roundTripSeconds"] as? Double ?? 0) > 0, "measured on loopback")
        let counters = try #require(report["counters"] as? [String: Any])
        #expect(Set(counters.keys) == Set(Self.clientCounterKeys))
        #expect((counters["numbersReceived"] as? Int ?? 0) >= 20000)
        #expect((counters["rangesRequested"] as? Int ?? 0) > 0, "5% loss each way makes the client ask")
        let simulator = try #require(report["simulator"] as? [String: Any])
        #expect((simulator["offered"] as? Int ?? 0) == counters["datagramsSent"] as? Int)
        #expect((simulator["dropped"] as? Int ?? 0) > 0)
        #expect((report["simulatorSettings"] as? String)?.contains("seed 8") == true)

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        let lines = try Self.serverLines(server)
        #expect(lines.first?["event"] as? String == "listening" && lines.first?["schema"] as? String == "numbers-server/1")
        #expect(lines.allSatisfy { $0["unixTime"] is Double })
        let created = try #require(lines.first { $0["event"] as? String == "created" })
        #expect(created["clientID"] as? String == id && created["n"] as? Int == 20000)
        let completed = try #require(lines.first { $0["event"] as? String == "completed" })
        #expect(completed["clientID"] as? String == id && completed["acknowledged"] as? Int == 20000)
        let stats = try #require(completed["stats"] as? [String: Any])
        #expect((stats["retransmittedDatagrams"] as? Int ?? 0) > 0)
        let totals = try #require(lines.last)
        #expect(totals["event"] as? String == "totals" && totals["signal"] as? String == "SIGINT")
        let serverCounters = try #require(totals["counters"] as? [String: Any])
        #expect(serverCounters["sessionsCompleted"] as? Int == 1)
        #expect((serverCounters["retransmittedDatagrams"] as? Int) == stats["retransmittedDatagrams"] as? Int)
        #expect(((totals["simulator"] as? [String: Any])?["dropped"] as? Int ?? 0) > 0)
    }

    @Test("a killed client's session resumed from a new process: moved and resumed; a stranger's resume: refused")
    func resumeMoveAndRefusal() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-json", "-interval", "10ms", "-batch", "1"])
        let first = try spawnClient(group, port: server.port, ["-json", "-n", "300"])
        // With -json the ID is on stderr, at once: stdout carries the report only.
        var idLine: String?
        for _ in 0..<500 where idLine == nil {
            idLine = first.errorLines.first { $0.hasPrefix("client ID: ") }
            blockingPause(milliseconds: 10)
        }
        blockingPause(milliseconds: 400)
        #expect(first.poll() == nil, "still streaming when killed\n\(first.transcript)")
        first.kill()
        let id = String(try #require(idLine, "\(first.transcript)").dropFirst("client ID: ".count))

        let resumed = try await runClient(group, port: server.port, ["-json", "-clientID", id])
        #expect(resumed.termination == .exited(0), "\(resumed.transcript)")
        #expect(try Self.object(resumed.stdout)["result"] as? String == "pass")

        let stranger = "17e387fd-4425-400f-981f-fc648ec6f581"
        let refused = try await runClient(group, port: server.port, ["-json", "-clientID", stranger])
        #expect(refused.termination == .exited(3), "\(refused.transcript)")
        let refusal = try Self.object(refused.stdout)
        #expect(refusal["result"] as? String == "refused" && refusal["exitStatus"] as? Int == 3)
        #expect((refusal["error"] as? String)?.contains("session expired or unknown") == true)
        #expect(refusal["clientID"] as? String == stranger && refusal["sum"] is NSNull)

        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        let events = try Self.serverLines(server).map { ($0["event"] as? String ?? "?", $0) }
        let forID = events.filter { $0.1["clientID"] as? String == id }.map(\.0)
        #expect(forID == ["created", "moved", "resumed", "completed"], "\(server.process.transcript)")
        let refusedLine = try #require(events.first { $0.0 == "refused" }?.1)
        #expect(refusedLine["reason"] as? String == "unknownSession" && refusedLine["address"] is String)
    }

    @Test("no server: result noAnswer, exit status 4, still one JSON object")
    func noAnswer() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let run = try await runClient(group, port: try freeUDPPort(), ["-json", "-n", "10", "-giveUpAfter", "500ms"])
        #expect(run.termination == .exited(4), "\(run.transcript)")
        let report = try Self.object(run.stdout)
        #expect(report["result"] as? String == "noAnswer" && report["exitStatus"] as? Int == 4)
        #expect(report["n"] is NSNull && report["roundTripSeconds"] is NSNull)
        #expect(((report["counters"] as? [String: Any])?["opensSent"] as? Int ?? 0) > 0)
    }
}
