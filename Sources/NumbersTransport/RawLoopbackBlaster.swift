import Glibc
import NumbersProtocol
import Synchronization

/// The ceiling any protocol figure is judged against: how many datagrams per second plain
/// sendmmsg/recvmmsg move over loopback on this machine, one sender thread and one receiver thread,
/// with no protocol work at all. With `segmentation`, the sender's batches leave as segmented
/// sends (`SegmentRuns`), the ceiling of numbers-server -gso.
package enum RawLoopbackBlaster {
    package struct Report: Sendable, CustomStringConvertible {
        package var datagramSize: Int
        /// How long the sender ran.
        package var elapsed: Nanoseconds
        package var sent: Int
        package var received: Int
        package var sentPerSecond: Double { Double(sent) / max(elapsed.seconds, 1e-9) }
        package var receivedPerSecond: Double { Double(received) / max(elapsed.seconds, 1e-9) }

        package var description: String {
            let megabits = receivedPerSecond * Double(datagramSize) * 8 / 1e6
            return "raw loopback UDP, \(datagramSize)-byte datagrams, \(elapsed): "
                + "sent \(Int(sentPerSecond)) dgram/s, received \(Int(receivedPerSecond)) dgram/s "
                + "(\(Int(megabits)) Mbit/s payload)"
        }
    }

    /// Blasts for `duration` and returns both rates. Always ends within about `duration` + 50 ms:
    /// the sender stops at its deadline, then the receiver drains what is queued and stops.
    package static func run(
        duration: Nanoseconds = .seconds(UInt64(1)),
        datagramSize: Int = Limits.maxDatagramSize,
        batchSize: Int = 64,
        host: String = "127.0.0.1",
        segmentation: Bool = false
    ) throws(SocketError) -> Report {
        precondition(datagramSize > 0 && datagramSize <= 65_507, "datagram size must fit one UDP datagram")
        let receiver = try UDPSocket(host: host, port: 0)
        let sender = try UDPSocket(host: host, port: 0)
        if segmentation { sender.useSegmentation() }
        let wakeup = try Wakeup()
        let shared = Shared()

        let receiving = try JoinableThread {
            shared.record(error: runReceiver(receiver, wakeup: wakeup, datagramSize: datagramSize,
                                             batchSize: batchSize, shared: shared))
        }
        let sending: JoinableThread
        do throws(SocketError) {
            sending = try JoinableThread {
                shared.record(error: runSender(sender, to: receiver.localAddress, duration: duration,
                                               datagramSize: datagramSize, batchSize: batchSize, shared: shared))
                shared.stop.store(true, ordering: .releasing)
                wakeup.signal()
            }
        } catch {
            shared.stop.store(true, ordering: .releasing)
            wakeup.signal()
            receiving.join()
            throw error
        }
        sending.join()
        receiving.join()

        if let error = shared.firstError.withLock({ $0 }) { throw error }
        return Report(datagramSize: datagramSize,
                      elapsed: Nanoseconds(UInt64(shared.elapsed.load(ordering: .acquiring))),
                      sent: shared.sent.load(ordering: .acquiring),
                      received: shared.received.load(ordering: .acquiring))
    }

    /// What the two threads hand back; written once each at the end, read after the joins.
    private final class Shared: Sendable {
        let stop = Atomic<Bool>(false)
        let sent = Atomic<Int>(0)
        let received = Atomic<Int>(0)
        let elapsed = Atomic<Int>(0)
        let firstError = Mutex<SocketError?>(nil)

        func record(error: SocketError?) {
            guard let error else { return }
            firstError.withLock { $0 = $0 ?? error }
            stop.store(true, ordering: .releasing)
        }
    }

    private static func runSender(
        _ socket: UDPSocket, to destination: PeerAddress, duration: Nanoseconds,
        datagramSize: Int, batchSize: Int, shared: Shared
    ) -> SocketError? {
        let batch = SendBatch(capacity: batchSize, bufferSize: datagramSize)
        let start = MonotonicClock.now()
        let deadline = start + duration
        var sent = 0
        defer {
            shared.sent.store(sent, ordering: .releasing)
            shared.elapsed.store(Int((MonotonicClock.now() - start).value), ordering: .releasing)
        }
        do throws(SocketError) {
            while !shared.stop.load(ordering: .relaxed) && MonotonicClock.now() < deadline {
                // The payload is whatever the buffers hold: only the count matters here.
                while !batch.isFull { batch.commit(length: datagramSize, to: destination) }
                sent += try socket.send(batch, maxWait: .milliseconds(10)).sent
            }
        } catch {
            return error
        }
        return nil
    }

    private static func runReceiver(
        _ socket: UDPSocket, wakeup: Wakeup, datagramSize: Int, batchSize: Int, shared: Shared
    ) -> SocketError? {
        let batch = ReceiveBatch(capacity: batchSize, bufferSize: max(ReceiveBatch.defaultBufferSize, datagramSize))
        var received = 0
        defer { shared.received.store(received, ordering: .releasing) }
        do throws(SocketError) {
            while true {
                let count = try socket.receive(into: batch)
                received += count
                if count > 0 { continue }
                // Checked only when the queue is empty, so that what was sent before the stop
                // is counted; the sender is done by then, so this drain is finite.
                if shared.stop.load(ordering: .acquiring) {
                    if try socket.receive(into: batch) == 0 { return nil }
                    received += batch.count
                    continue
                }
                _ = socket.wait(timeout: .milliseconds(20), wakeup: wakeup)
            }
        } catch {
            return error
        }
    }
}
