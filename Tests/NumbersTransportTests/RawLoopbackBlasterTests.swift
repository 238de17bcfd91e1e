import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("Raw loopback baseline")
struct RawLoopbackBlasterTests {
    @Test func blasterRunsForItsDurationAndMovesDatagrams() throws {
        let start = MonotonicClock.now()
        let report = try RawLoopbackBlaster.run(duration: .milliseconds(300))
        let elapsed = MonotonicClock.now() - start
        print(report)
        #expect(report.sent > 0 && report.received > 0)
        #expect(report.receivedPerSecond > 0 && report.sentPerSecond > 0)
        #expect(report.received <= report.sent)
        #expect(report.elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(UInt64(2)), "took \(elapsed)")
    }
}
