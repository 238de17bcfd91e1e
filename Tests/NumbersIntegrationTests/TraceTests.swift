import Foundation
import Glibc
import Testing

/// Reads a -trace file: the header and the event lines, each through Foundation's JSON parser.
struct TraceFile {
    let header: [String: Any]
    let events: [[String: Any]]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = try text.split(separator: "\n").map { line -> [String: Any] in
            let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(value as? [String: Any], "not an object: \(line)")
        }
        header = try #require(lines.first, "empty trace \(path)")
        events = Array(lines.dropFirst())
    }

    func events(_ ev: String, type: String? = nil) -> [[String: Any]] {
        events.filter { $0["ev"] as? String == ev && (type == nil || $0["type"] as? String == type) }
    }
}

@Suite("-trace: one JSON line per datagram event, on both sides", .serialized)
struct TraceTests {
    @Test("a lossy, corrupting run: every event is there, and the counts agree with the counters")
    func lossyRun() async throws {
        let directory = NSTemporaryDirectory() + "numbers-trace-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (serverPath, clientPath) = (directory + "/server.jsonl", directory + "/client.jsonl")

        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-interval", "0", "-batch", "50", "-quiet", "-trace", serverPath,
                                                   "-dropRate", "0.05", "-corruptRate", "0.03", "-lossSeed", "11"])
        let run = try await runClient(group, port: server.port, ["-json", "-n", "20000", "-trace", clientPath,
                                                                 "-dropRate", "0.05", "-lossSeed", "12"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let counters = try #require(report["counters"] as? [String: Any])

        let client = try TraceFile(path: clientPath)
        let serverTrace = try TraceFile(path: serverPath)
        for (trace, side) in [(client, "client"), (serverTrace, "server")] {
            #expect(trace.header["trace"] as? String == "numbers-station" && trace.header["version"] as? Int == 1)
            #expect(trace.header["side"] as? String == side && trace.header["unixMicros"] is Int)
            let times = trace.events.compactMap { $0["t"] as? Int }
            #expect(times.count == trace.events.count && times == times.sorted(), "t rises: \(side)")
        }
        #expect(client.header["peer"] as? String == "127.0.0.1:\(server.port)")
        #expect(serverTrace.events.allSatisfy { $0["peer"] is String || $0["ev"] as? String == "offline" })

        // Client side: what it sent or its simulator dropped is every datagram the engine produced;
        // what it received or rejected is every datagram that arrived.
        let sent = client.events("send").count + client.events("drop").count
        #expect(sent == counters["datagramsSent"] as? Int)
        #expect(client.events("recv").count + client.events("reject").count == counters["datagramsReceived"] as? Int)
        #expect(client.events("drop").allSatisfy { $0["reason"] as? String == "loss" } && !client.events("drop").isEmpty)
        let corrupt = client.events("reject").filter { $0["reason"] as? String == "badChecksum" }
        #expect(!corrupt.isEmpty, "the server's simulator corrupts 3%, the client rejects them")
        // Each was corrupted by the server's simulator (some it corrupted may arrive after the client is gone).
        #expect(corrupt.count <= serverTrace.events("corrupt").count)

        // Every index arrived in some DATA, and the last ACK says so.
        var covered = IndexSet()
        for data in client.events("recv", type: "DATA") {
            let (index, end) = (try #require(data["index"] as? Int), try #require(data["end"] as? Int))
            #expect(data["total"] as? Int == 20000 && index < end)
            covered.insert(integersIn: index..<end)
        }
        #expect(covered == IndexSet(integersIn: 0..<20000))
        let acks = client.events("send", type: "ACK")
        let cumulative = acks.compactMap { $0["cum"] as? Int }
        #expect(cumulative == cumulative.sorted() && cumulative.last == 20000)
        #expect(acks.last?["done"] as? Bool == true)
        let requested = acks.flatMap { ($0["ranges"] as? [[Int]]) ?? [] }
        #expect(!requested.isEmpty && requested.allSatisfy { $0.count == 2 && $0[0] < $0[1] })

        // Server side: its losses are DATA the client never saw; retransmissions cover them.
        let lostData = serverTrace.events("drop", type: "DATA")
        #expect(!lostData.isEmpty && lostData.allSatisfy { $0["reason"] as? String == "loss" })
        #expect(serverTrace.events("recv", type: "OPEN").count >= 1 && serverTrace.events("send", type: "TRAILER").count >= 1)
        let clientSends = client.events("send").count
        #expect(serverTrace.events("recv").count + serverTrace.events("reject").count == clientSends)
    }

    @Test("the server's controller: each phase change is a cc line naming the session, and -cc none writes none",
          arguments: ["model", "none"])
    func congestionLines(cc: String) async throws {
        let directory = NSTemporaryDirectory() + "numbers-trace-cc-\(getpid())-\(cc)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/server.jsonl"

        let group = ChildGroup()
        defer { group.killAll() }
        // Full datagrams: 1,021 of them, not 300,000 of one number each, which a debug build
        // tracing every one took 10 s to move on an idle machine and over 30 s on a busy one.
        let server = try await startServer(group, ["-interval", "0", "-batch", "294", "-quiet", "-cc", cc, "-trace", path])
        let run = try await runClient(group, port: server.port, ["-json", "-n", "300000"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        // The shutdown summary explains the controller's part: one controller, started afresh (no
        // other session from its host was live), and how often its window held DATA back; none at
        // all under -cc none.
        let summary = server.process.standardOutput.split(separator: "\n").first { $0.contains("congestion control:") }
        if cc == "model" {
            #expect(summary?.contains(": 1 controllers (0 started from their host's other sessions' path),") == true
                    && summary?.contains("window holds") == true, "\(server.process.transcript)")
        } else {
            #expect(summary == nil, "\(server.process.transcript)")
        }
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let trace = try TraceFile(path: path)
        let lines = trace.events("cc")
        let times = trace.events.compactMap { $0["t"] as? Int }
        #expect(times.count == trace.events.count && times == times.sorted(), "cc lines keep t rising")
        guard cc == "model" else {
            #expect(lines.isEmpty, "no controller, no cc lines")
            return
        }
        // Start-up always ends in a drain, so a transfer of 1.2 MB shows at least that change.
        #expect(lines.first?["phase"] as? String == "drain", "\(lines.first ?? [:])")
        let phases: Set<String> = ["startup", "drain", "probe-up", "probe-down", "cruise"]
        for line in lines {
            #expect(line["client"] as? String == report["clientID"] as? String)
            #expect((line["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(phases.contains(line["phase"] as? String ?? ""), "\(line)")
            #expect((line["rate"] as? Int ?? 0) >= 12_500, "never below the controller's floor: \(line)")
            #expect((line["bandwidth"] as? Int ?? -1) >= 0 && (line["window"] as? Int ?? -1) >= 0)
            #expect(line["minRTT"] is Int || line["minRTT"] is NSNull)
            let loss = try #require(line["lossPPM"] as? Int)
            #expect((0...1_000_000).contains(loss))
        }
    }

    @Test("an unwritable -trace path is a usage error naming it")
    func unwritablePath() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let run = try await runClient(group, port: try freeUDPPort(), ["-n", "10", "-trace", "/nonexistent/dir/t.jsonl", "-giveUpAfter", "1s"])
        #expect(run.termination == .exited(2), "\(run.transcript)")
        #expect(run.stderr.contains("/nonexistent/dir/t.jsonl"), "\(run.transcript)")
    }
}
