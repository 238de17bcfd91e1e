import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("The server loop's wait: tolerance and spinning by interval")
struct DeadlineWaitTests {
    @Test func fullSpeedWaitsExactlyAndNeverSpins() {
        let wait = DeadlineWait(interval: .zero)
        #expect(wait.tolerance == .zero)
        #expect(wait.spin == .zero)
    }

    @Test func subMillisecondIntervalsSpinTheLastStretch() {
        let wait = DeadlineWait(interval: .microseconds(100))
        #expect(wait.tolerance == .microseconds(10))
        #expect(wait.spin == DeadlineWait.spinStretch)
        #expect(DeadlineWait(interval: Nanoseconds(999_999)).spin == DeadlineWait.spinStretch)
    }

    @Test func fromAMillisecondOnlySleepsWithAToleranceCappedAtAMillisecond() {
        #expect(DeadlineWait(interval: .milliseconds(1)).spin == .zero)
        #expect(DeadlineWait(interval: .milliseconds(1)).tolerance == .microseconds(100))
        #expect(DeadlineWait(interval: .milliseconds(10)).tolerance == DeadlineWait.maxTolerance)
        #expect(DeadlineWait(interval: .seconds(UInt64(1))).tolerance == DeadlineWait.maxTolerance)
    }

    @Test func aWaitEndsAtTheTimeoutNotBeforeAndSeesADatagram() throws {
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        let wait = DeadlineWait(interval: .microseconds(100))
        let start = MonotonicClock.now()
        wait.wait(on: socket, timeout: .microseconds(300), wakeup: nil)
        #expect(MonotonicClock.now() - start >= .microseconds(300))
        let bytes: [UInt8] = [7]
        try bytes.withUnsafeBytes { _ = try socket.send($0, to: socket.localAddress) }
        let before = MonotonicClock.now()
        wait.wait(on: socket, timeout: .seconds(UInt64(5)), wakeup: nil)
        #expect(MonotonicClock.now() - before < .seconds(UInt64(4)), "a waiting datagram must end the wait")
    }
}
