import Testing
import NumbersProtocol

@Suite struct PollTimeoutTests {
    @Test func roundsPastTheDeadlineAndCaps() {
        #expect(Nanoseconds.zero.pollMilliseconds() == 0)
        // A sub-millisecond remainder must not become a busy timeout of 0.
        #expect(Nanoseconds(1).pollMilliseconds() == 1)
        #expect(Nanoseconds.microseconds(999).pollMilliseconds() == 1)
        #expect(Nanoseconds.milliseconds(1).pollMilliseconds() == 2)
        #expect(Nanoseconds(2_500_000).pollMilliseconds() == 3)
        #expect(Nanoseconds.seconds(5 as UInt64).pollMilliseconds(atMost: 1_000) == 1_000)
        #expect(Nanoseconds(.max).pollMilliseconds() == .max)
        #expect(Nanoseconds.microseconds(10).pollMilliseconds(atMost: 0) == 0)
    }
}
