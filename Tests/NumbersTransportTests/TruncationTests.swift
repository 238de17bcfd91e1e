import Glibc
import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("Oversize datagrams are flagged, not passed on")
struct TruncationTests {
    @Test func datagramLargerThanTheBufferIsReportedTruncated() throws {
        let sender = try UDPSocket(host: "127.0.0.1", port: 0)
        let receiver = try UDPSocket(host: "127.0.0.1", port: 0)
        let oversize = [UInt8](repeating: 0xab, count: 3_000)
        let valid = [UInt8](repeating: 0xcd, count: Limits.maxDatagramSize)
        try oversize.withUnsafeBytes { _ = try sender.send($0, to: receiver.localAddress) }
        try valid.withUnsafeBytes { _ = try sender.send($0, to: receiver.localAddress) }

        let received = try receive(2, on: receiver)
        #expect(received.count == 2)
        #expect(received.first?.truncated == true)
        #expect(received.first?.bytes.count == ReceiveBatch.defaultBufferSize)
        #expect(received.last == ReceivedDatagram(source: sender.localAddress, bytes: valid, truncated: false))
    }

    @Test func acceptabilityAlsoRejectsWholeButOversizeDatagrams() throws {
        let sender = try UDPSocket(host: "127.0.0.1", port: 0)
        let receiver = try UDPSocket(host: "127.0.0.1", port: 0)
        for size in [Limits.maxDatagramSize, Limits.maxDatagramSize + 1] {
            let bytes = [UInt8](repeating: 1, count: size)
            try bytes.withUnsafeBytes { _ = try sender.send($0, to: receiver.localAddress) }
        }
        let batch = ReceiveBatch()
        #expect(receiver.waitReadable(timeout: .seconds(UInt64(2))))
        var verdicts: [Bool] = []
        let deadline = MonotonicClock.now() + .seconds(UInt64(2))
        while verdicts.count < 2 && MonotonicClock.now() < deadline {
            _ = receiver.waitReadable(timeout: .milliseconds(100))
            for index in 0..<(try receiver.receive(into: batch)) {
                #expect(!batch.isTruncated(at: index))
                verdicts.append(batch.isAcceptable(at: index))
            }
        }
        #expect(verdicts == [true, false])
    }
}
