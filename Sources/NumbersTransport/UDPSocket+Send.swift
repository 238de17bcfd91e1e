import Glibc
import NumbersProtocol

/// What became of a batch: every queued datagram was either handed to the kernel or dropped.
package struct SendOutcome: Equatable, Sendable {
    /// Datagrams the kernel accepted.
    package var sent: Int
    /// Datagrams lost to soft errors (refused, unreachable, no buffer space) or to a send buffer
    /// that stayed full past the wait bound: the protocol treats them as loss.
    package var dropped: Int

    package init(sent: Int = 0, dropped: Int = 0) { self.sent = sent; self.dropped = dropped }
}

extension UDPSocket {
    /// How long a send waits in total for a full socket buffer to drain before dropping the rest.
    package static let defaultSendWait = Nanoseconds.milliseconds(100)

    /// Sends every datagram queued in `batch` with as few `sendmmsg` calls as the kernel allows,
    /// then empties the batch. Never allocates. Throws only when the socket itself is unusable.
    @discardableResult
    package func send(_ batch: SendBatch, maxWait: Nanoseconds = UDPSocket.defaultSendWait) throws(SocketError) -> SendOutcome {
        defer { batch.removeAll() }
        guard !batch.isEmpty else { return SendOutcome() }
        batch.prepareForSend(from: localAddress.family)

        var outcome = SendOutcome()
        var next = 0
        var retriedIndex = -1
        var deadline: Instant?
        while next < batch.count {
            let accepted = LinuxOnlyCalls.sendmmsg(descriptor, UnsafeMutableRawPointer(batch.headers + next), UInt32(batch.count - next), 0)
            if accepted > 0 {
                // A partial send: the kernel stopped at a datagram it could not take; retry from there.
                next += Int(accepted)
                outcome.sent += Int(accepted)
                continue
            }
            // sendmmsg never accepts zero of a non-empty batch; should it, waiting is the safe reading.
            let code = accepted == 0 ? EAGAIN : errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                let limit = deadline ?? MonotonicClock.now() + maxWait
                deadline = limit
                if waitWritable(until: limit) { continue }
                let rest = batch.count - next
                recordSoftError(code, count: rest)
                outcome.dropped += rest
                return outcome
            case _ where SoftErrors.isPerDatagram(code):
                // Errors queued by an earlier ICMP message fail the next call whatever it sends,
                // so the datagram gets one more try before it counts as lost.
                if retriedIndex != next {
                    retriedIndex = next
                    continue
                }
                recordSoftError(code)
                outcome.dropped += 1
                next += 1
            default:
                throw SocketError.system("sendmmsg \(localAddress)", errno: code)
            }
        }
        return outcome
    }

    /// Sends one datagram. Returns false when it was dropped (soft error, or the buffer stayed full
    /// for `maxWait`); throws only when the socket itself is unusable.
    @discardableResult
    package func send(_ bytes: UnsafeRawBufferPointer, to destination: PeerAddress,
                     maxWait: Nanoseconds = UDPSocket.defaultSendWait) throws(SocketError) -> Bool {
        var storage = sockaddr_storage()
        let length = destination.write(to: &storage, for: localAddress.family)
        var retried = false
        var deadline: Instant?
        while true {
            let result = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, length)
                }
            }
            if result >= 0 { return true }
            let code = errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                let limit = deadline ?? MonotonicClock.now() + maxWait
                deadline = limit
                if waitWritable(until: limit) { continue }
                recordSoftError(code)
                return false
            case _ where SoftErrors.isPerDatagram(code):
                if !retried { retried = true; continue }
                recordSoftError(code)
                return false
            default:
                throw SocketError.system("sendto \(destination)", errno: code)
            }
        }
    }
}
