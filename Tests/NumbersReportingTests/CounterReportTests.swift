import NumbersProtocol
import NumbersReporting
import Testing

@Suite("Counter reports printed by the executables")
struct CounterReportTests {
    @Test func decodeErrorsAreBrokenDownInDeclarationOrder() {
        var counters = ClientCounters()
        counters.decodeErrors = [.badChecksum: 1, .badSize: 2]
        counters.invalidDropped = 3
        let lines = counters.summaryLines
        #expect(lines.count == 3)
        #expect(lines[1] == "rejected on arrival: 3 malformed or corrupt (2 bad size, 1 bad checksum), 3 invalid, 0 outside the window")
    }

    @Test func noDecodeErrorsMeansNoBreakdown() {
        let lines = ServerCounters().summaryLines
        #expect(lines.count == 4)
        #expect(lines[1] == "rejected on arrival: 0 malformed or corrupt, 0 invalid")
    }

    @Test func sessionStatsOnOneLine() {
        var stats = SessionStats()
        stats.dataSent = 10
        stats.retransmittedDatagrams = 2
        stats.probes = 1
        #expect(stats.summary == "10 DATA sent (2 retransmitted), 0 trailers, 0 ACKs, 0 ranges requested, 1 probes, 0 resumes")
    }
}
