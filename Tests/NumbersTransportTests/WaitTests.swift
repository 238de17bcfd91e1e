import Glibc
import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("Waiting with poll: timeouts and wakeups")
struct WaitTests {
    @Test func waitReadableTimesOutAfterAboutTheTimeout() throws {
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        let start = MonotonicClock.now()
        #expect(!socket.waitReadable(timeout: .milliseconds(100)))
        let elapsed = MonotonicClock.now() - start
        #expect(elapsed >= .milliseconds(100), "returned after \(elapsed)")
        #expect(elapsed < .milliseconds(1_000), "returned after \(elapsed)")
        #expect(!socket.waitReadable(timeout: .zero))
    }

    @Test func waitReadableSeesAPendingDatagram() throws {
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        let bytes: [UInt8] = [42]
        try bytes.withUnsafeBytes { _ = try socket.send($0, to: socket.localAddress) }
        #expect(socket.waitReadable(timeout: .seconds(UInt64(2))))
        #expect(socket.wait(timeout: .zero, wakeup: nil) == .readable)
    }

    @Test func wakeupFromAnotherThreadEndsTheWait() throws {
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        let wakeup = try Wakeup()
        let signaller = try JoinableThread {
            usleep(50_000)
            wakeup.signal()
        }
        defer { signaller.join() }
        let start = MonotonicClock.now()
        let readiness = socket.wait(timeout: .seconds(UInt64(5)), wakeup: wakeup)
        let elapsed = MonotonicClock.now() - start
        #expect(readiness == .woken)
        #expect(elapsed < .seconds(UInt64(2)), "woke after \(elapsed)")
        // The wait drained it: the next wait times out instead of spinning.
        #expect(socket.wait(timeout: .milliseconds(10), wakeup: wakeup) == [])
    }

    @Test func timeoutIsExactToTheNanosecondAndCappedAtADay() {
        #expect(Poller.interval(.zero).tv_sec == 0 && Poller.interval(.zero).tv_nsec == 0)
        #expect(Poller.interval(Nanoseconds(1)).tv_nsec == 1)
        #expect(Poller.interval(.microseconds(100)).tv_nsec == 100_000)
        #expect(Poller.interval(Nanoseconds(3_000_000_007)).tv_sec == 3 && Poller.interval(Nanoseconds(3_000_000_007)).tv_nsec == 7)
        #expect(Poller.interval(Nanoseconds(.max)).tv_sec == 86_400 && Poller.interval(Nanoseconds(.max)).tv_nsec == 0)
    }

    @Test func aSubMillisecondTimeoutIsNotRoundedUpToAMillisecond() throws {
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        // The shortest of several tries: one try can be stretched by another process.
        var shortest = Nanoseconds(.max)
        for _ in 0..<20 {
            let start = MonotonicClock.now()
            #expect(!socket.waitReadable(timeout: .microseconds(200)))
            let elapsed = MonotonicClock.now() - start
            #expect(elapsed >= .microseconds(200), "returned after \(elapsed)")
            shortest = min(shortest, elapsed)
        }
        #expect(shortest < .microseconds(900), "the shortest 200 µs wait took \(shortest)")
    }

    @Test func monotonicClockAdvances() {
        let first = MonotonicClock.now()
        usleep(2_000)
        let second = MonotonicClock.now()
        #expect(second - first >= .milliseconds(2))
    }
}
