import Foundation
import Glibc
import Testing

/// numbers-server -gso: the same datagrams, far fewer sends, and the counters say so.
@Suite("numbers-server -gso: runs of DATA leave as one segmented send each")
struct SegmentationOffloadTests {
    @Test("a full-speed transfer with -gso PASSes; the JSON totals count the runs and no refusal")
    func jsonTotals() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        // -cc none: the server sends whole batches as the window allows, so runs form however
        // loaded the machine is; paced by the controller, a debug build on a busy CI machine let
        // too few DATA out per turn for most of them to share a run.
        let server = try await startServer(group, ["-json", "-quiet", "-interval", "0", "-batch", "294", "-cc", "none", "-gso"])
        let run = try await runClient(group, port: server.port, ["-json", "-n", "3000000"])
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(try JSONOutputTests.object(run.stdout)["result"] as? String == "pass")
        #expect(await stop(server) == .exited(0), "\(server.process.transcript)")

        let lines = try JSONOutputTests.serverLines(server)
        let listening = try #require(lines.first)
        #expect(listening["gso"] as? Bool == true, "\(listening)")
        let totals = try #require(lines.last)
        let socket = try #require(totals["socket"] as? [String: Any])
        let segmentation = try #require(socket["segmentation"] as? [String: Any], "\(socket)")
        let runs = try #require(segmentation["runs"] as? Int), datagrams = try #require(segmentation["datagrams"] as? Int)
        let counters = try #require(totals["counters"] as? [String: Any])
        let dataSent = try #require(counters["dataSent"] as? Int)
        // 10,205 DATA of 294 numbers: sent as fast as the window allows, most leave in runs of two or more.
        #expect(dataSent >= 10_205 && datagrams <= dataSent + 8 && datagrams > dataSent / 2, "\(segmentation), \(dataSent) DATA")
        #expect(runs > 0 && runs * 2 <= datagrams, "\(segmentation)")
        #expect(segmentation["requested"] as? Bool == true && segmentation["unavailable"] is NSNull)
        #expect(segmentation["refusedRuns"] as? Int == 0 && segmentation["lastRefusal"] is NSNull)
    }

    @Test("without -gso nothing is segmented; with it the shutdown summary names the runs")
    func textSummary() async throws {
        for gso in [false, true] {
            let group = ChildGroup()
            defer { group.killAll() }
            let server = try await startServer(group, ["-quiet", "-interval", "0", "-batch", "294", "-cc", "none"] + (gso ? ["-gso"] : []))
            let run = try await runClient(group, port: server.port, ["-n", "1000000"])
            #expect(run.termination == .exited(0), "\(run.transcript)")
            #expect(await stop(server) == .exited(0), "\(server.process.transcript)")
            let summary = server.process.standardOutput.split(separator: "\n").first { $0.hasPrefix("numbers-server: gso: ") }
            if gso {
                let line = try #require(summary, "\(server.process.transcript)")
                #expect(line.contains(" datagrams left in ") && line.contains(" segmented sends (") && !line.contains("refused")
                        && !line.contains("unavailable"), "\(line)")
            } else {
                #expect(summary == nil, "\(server.process.transcript)")
            }
        }
    }
}
