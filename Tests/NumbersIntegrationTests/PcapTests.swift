import Foundation
import Glibc
import Testing

/// -pcap read by a real tshark through dissector/numbers.lua, checked datagram by datagram
/// against the -trace of the same run.
@Suite("-pcap and the Wireshark dissector, through tshark", .serialized)
struct PcapTests {
    static let tools = [("tshark", "tshark")]
    static let fields = ["udp.srcport", "udp.length", "numbers.type_name", "numbers.tag", "numbers.index", "numbers.end",
                         "numbers.ack_seq", "numbers.cumulative", "numbers.highest", "numbers.echo", "numbers.total",
                         "numbers.crc.status", "ip.src", "ipv6.src"]

    static var dissector: String {
        // The package root: this file is Tests/NumbersIntegrationTests/PcapTests.swift.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/dissector/numbers.lua"
    }

    /// tshark's field rows for `pcap`, one dictionary per frame (empty fields left out).
    static func dissect(_ pcap: String) throws -> [[String: String]] {
        var arguments = ["-X", "lua_script:\(dissector)", "-r", pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
        for field in fields { arguments += ["-e", field] }
        let child = try ChildProcess.spawn(DebianTools.find("tshark")!, arguments)
        let deadline = ContinuousClock.now + .seconds(60)
        while child.poll() == nil && ContinuousClock.now < deadline { usleep(5_000) }
        while !child.isDrained && ContinuousClock.now < deadline { usleep(1_000) }
        #expect(child.poll() == .exited(0), "tshark: \(child.standardError)")
        #expect(!child.standardError.contains("Lua: Error"), "the dissector loads and runs: \(child.standardError)")
        return child.outputLines.filter { !$0.isEmpty }.map { line in
            var row: [String: String] = [:]
            for (field, value) in zip(fields, line.split(separator: "|", omittingEmptySubsequences: false)) where !value.isEmpty {
                row[field] = String(value)
            }
            return row
        }
    }

    /// The trace's events that are datagrams on the wire of this side, in order: as the pcap holds them.
    static func wireEvents(_ trace: TraceFile) -> [[String: Any]] {
        trace.events.filter { ["send", "recv", "reject"].contains($0["ev"] as? String ?? "") }
    }

    static func run(host: String, directory: String) async throws -> (client: TraceFile, server: TraceFile, serverPort: UInt16) {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-host", host, "-interval", "0", "-batch", "50", "-quiet",
                                                   "-trace", directory + "/server.jsonl", "-pcap", directory + "/server.pcap",
                                                   "-dropRate", "0.05", "-corruptRate", "0.04", "-lossSeed", "21"])
        let run = try await runClient(group, port: server.port, ["-host", host, "-n", "5000", "-trace", directory + "/client.jsonl",
                                                                 "-pcap", directory + "/client.pcap", "-dropRate", "0.05", "-lossSeed", "22"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
        return (try TraceFile(path: directory + "/client.jsonl"), try TraceFile(path: directory + "/server.jsonl"), server.port)
    }

    @Test("tshark decodes every datagram of a lossy, corrupting run as the trace recorded it, CRC verdict included",
          .enabled(if: DebianTools.canRun(tools), DebianTools.skipComment(tools)), .timeLimit(.minutes(2)),
          arguments: ["127.0.0.1", "::1"])
    func decodedFieldsMatchTrace(host: String) async throws {
        if let missing = DebianTools.missing(Self.tools) { Issue.record("CI=true: \(missing)"); return }
        let directory = NSTemporaryDirectory() + "numbers-pcap-\(getpid())-\(host.contains(":") ? "v6" : "v4")"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (client, server, serverPort) = try await Self.run(host: host, directory: directory)

        let frames = try Self.dissect(directory + "/client.pcap")
        let events = Self.wireEvents(client)
        #expect(frames.count == events.count, "one frame per datagram sent or received")
        var badCRCs = 0, compared = 0
        for (frame, event) in zip(frames, events) {
            let ev = event["ev"] as? String
            #expect((frame["udp.srcport"] == "\(serverPort)") == (ev != "send"), "direction of \(event)")
            #expect(frame["udp.length"].flatMap { Int($0) }.map { $0 - 8 } == event["size"] as? Int, "size of \(event)")
            #expect(frame[host.contains(":") ? "ipv6.src" : "ip.src"] == host, "synthesised \(host) header")
            if event["bad"] as? String == "badChecksum" {
                // Corrupted in flight: if the flipped bits left it recognisable, the dissector says the CRC is bad.
                if frame["numbers.crc.status"] != nil { #expect(frame["numbers.crc.status"] == "0"); badCRCs += 1 }
                continue
            }
            guard event["bad"] == nil else { continue }
            compared += 1
            #expect(frame["numbers.crc.status"] == "1", "CRC good: \(frame)")
            #expect(frame["numbers.type_name"] == event["type"] as? String, "\(frame) vs \(event)")
            let pairs: [(String, String)] = [("numbers.tag", "tag"), ("numbers.index", "index"), ("numbers.end", "end"),
                                            ("numbers.cumulative", "cum"), ("numbers.highest", "high"), ("numbers.echo", "echo"),
                                            ("numbers.total", "total"), ("numbers.ack_seq", "seq")]
            for (field, key) in pairs {
                if let value = event[key] as? Int { #expect(frame[field] == "\(value)", "\(field) of \(event): \(frame)") }
            }
        }
        #expect(compared > 100, "most datagrams decode")
        #expect(badCRCs > 0, "the server's simulator corrupts 4%; some arrive and are flagged")

        // The server's capture opens and decodes too.
        let serverFrames = try Self.dissect(directory + "/server.pcap")
        #expect(serverFrames.count == Self.wireEvents(server).count)
        #expect(serverFrames.filter { $0["numbers.type_name"] == "DATA" }.count > 100)
    }

    @Test("the dissector's expert info names a bad CRC",
          .enabled(if: DebianTools.canRun(tools), DebianTools.skipComment(tools)), .timeLimit(.minutes(2)))
    func expertInfo() async throws {
        if let missing = DebianTools.missing(Self.tools) { Issue.record("CI=true: \(missing)"); return }
        let directory = NSTemporaryDirectory() + "numbers-pcap-expert-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await Self.run(host: "127.0.0.1", directory: directory)
        let child = try ChildProcess.spawn(DebianTools.find("tshark")!, ["-X", "lua_script:\(Self.dissector)", "-r", directory + "/client.pcap",
                                                                        "-Y", "numbers.bad_crc", "-T", "fields", "-e", "_ws.expert.message"])
        let deadline = ContinuousClock.now + .seconds(60)
        while (child.poll() == nil || !child.isDrained) && ContinuousClock.now < deadline { usleep(5_000) }
        #expect(child.poll() == .exited(0), "\(child.standardError)")
        let messages = child.outputLines.filter { !$0.isEmpty }
        #expect(!messages.isEmpty && messages.allSatisfy { $0.contains("CRC-32C") }, "\(child.standardOutput)")
    }
}
