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
    /// then empties the batch. With segmentation on (`useSegmentation`), each run of equal
    /// datagrams to one destination is one entry of those calls. Never allocates. Throws only
    /// when the socket itself is unusable.
    @discardableResult
    package func send(_ batch: SendBatch, maxWait: Nanoseconds = UDPSocket.defaultSendWait) throws(SocketError) -> SendOutcome {
        defer { batch.removeAll() }
        guard !batch.isEmpty else { return SendOutcome() }
        batch.prepareForSend(from: localAddress.family)

        var outcome = SendOutcome()
        var deadline: Instant?
        let runCount = usesSegmentation ? batch.buildRuns() : batch.count
        guard runCount < batch.count else {
            _ = try sendEntries(batch.headers, count: batch.count, datagramsIn: nil, outcome: &outcome, deadline: &deadline, maxWait: maxWait)
            return outcome
        }
        let runs = batch.runs
        var entry = 0
        while entry < runCount {
            guard let refused = try sendEntries(runs.headers + entry, count: runCount - entry, datagramsIn: runs.lengths + entry,
                                                outcome: &outcome, deadline: &deadline, maxWait: maxWait) else { break }
            // Refused for this destination or route (its MTU, an IPsec policy): this run goes one
            // by one, and later runs, most likely to other clients, are still tried whole.
            let run = entry + refused.entry
            recordRunRefusal(refused.code)
            _ = try sendEntries(batch.headers + runs.starts[run], count: runs.lengths[run], datagramsIn: nil,
                                outcome: &outcome, deadline: &deadline, maxWait: maxWait)
            entry = run + 1
        }
        return outcome
    }

    /// The `sendmmsg` loop: `count` entries from `headers`, entry i carrying `datagramsIn[i]`
    /// datagrams (1 each when nil). Returns the entry and errno where the kernel refused a
    /// segmented entry, having sent the ones before it; nil when every entry was sent or dropped.
    private func sendEntries(
        _ headers: UnsafeMutablePointer<MultiMessageHeader>, count: Int, datagramsIn: UnsafeMutablePointer<Int>?,
        outcome: inout SendOutcome, deadline: inout Instant?, maxWait: Nanoseconds
    ) throws(SocketError) -> (entry: Int, code: Int32)? {
        func datagrams(_ range: Range<Int>) -> Int {
            guard let datagramsIn else { return range.count }
            var total = 0
            for entry in range { total += datagramsIn[entry] }
            return total
        }
        var next = 0
        var retriedIndex = -1
        while next < count {
            let accepted = LinuxOnlyCalls.sendmmsg(descriptor, UnsafeMutableRawPointer(headers + next), UInt32(count - next), 0)
            if accepted > 0 {
                // A partial send: the kernel stopped at an entry it could not take; retry from there.
                let range = next..<next + Int(accepted)
                outcome.sent += datagramsIn.map { countSent($0, range) } ?? range.count
                next += Int(accepted)
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
                let rest = datagrams(next..<count)
                recordSoftError(code, count: rest)
                outcome.dropped += rest
                return nil
            case _ where datagramsIn.map({ $0[next] > 1 }) == true && Self.refusesRun(code):
                return (next, code)
            case _ where SoftErrors.isPerDatagram(code):
                // Errors queued by an earlier ICMP message fail the next call whatever it sends,
                // so the entry gets one more try before it counts as lost.
                if retriedIndex != next {
                    retriedIndex = next
                    continue
                }
                let lost = datagrams(next..<next + 1)
                recordSoftError(code, count: lost)
                outcome.dropped += lost
                next += 1
            default:
                throw SocketError.system("sendmmsg \(localAddress)", errno: code)
            }
        }
        return nil
    }

    /// The datagrams the accepted entries of `range` carried; those of more than one are counted
    /// as segmented sends.
    private func countSent(_ datagramsIn: UnsafeMutablePointer<Int>, _ range: Range<Int>) -> Int {
        var sent = 0, runs = 0, segmented = 0
        for entry in range {
            let carried = datagramsIn[entry]
            sent += carried
            if carried > 1 { runs += 1; segmented += carried }
        }
        if runs > 0 {
            segmentedRunCounter.add(runs, ordering: .relaxed)
            segmentedDatagramCounter.add(segmented, ordering: .relaxed)
        }
        return sent
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
