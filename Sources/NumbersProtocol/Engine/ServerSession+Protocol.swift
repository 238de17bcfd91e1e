/// What one send did, for the engine's counters.
struct SendRecord {
    enum Kind {
        case data(numbers: UInt32, retransmit: Bool, late: Bool)
        case trailer
    }
    var kind: Kind
    var length: Int
}

extension ServerSession {
    /// A resume (OPEN of an existing session): the stream continues from `index`, which the
    /// counter-based generator makes free, and everything queued for the old stream is dropped.
    mutating func resume(from index: UInt32, tag: UInt32, ackSeq: UInt32, window: UInt32, address: PeerAddress, now: Instant) {
        self.address = address
        self.tag = tag
        self.window = window
        acknowledged = index
        cursor = index
        pending.removeAll()
        lastAckSeq = ackSeq
        drainedAckSeq = ackSeq
        trailerOwed = index == total
        lastHeard = now
        nextSendAt = now
        stats.resumes &+= 1
    }

    /// The pacing rate rose to 1/`factor` times the rate before (0 < factor < 1): the wait left
    /// before the next send shrinks by `factor` (truncated to the nanosecond), so the datagram
    /// already due goes at the new rate. Anything else changes nothing.
    mutating func rescheduleSend(now: Instant, by factor: Double) {
        guard nextSendAt > now, factor > 0, factor < 1 else { return }
        nextSendAt = now + Nanoseconds(UInt64(Double((nextSendAt - now).value) * factor))
    }

    /// Applies a validated ACK; returns how many ranges it requested and how many of those did
    /// not fit the retransmission queue.
    mutating func apply(_ ack: AckMessage, now: Instant) -> (ranges: Int, dropped: Int) {
        let hadWork = hasDataToSend
        if ack.cumulative > acknowledged {
            acknowledged = ack.cumulative
            pending.trim(below: ack.cumulative)
        }
        // After a rewind, what the client acknowledges need not be sent again.
        if cursor < acknowledged { cursor = acknowledged }

        var dropped = 0
        if isNewer(ack.ackSeq, than: lastAckSeq) {
            lastAckSeq = ack.ackSeq
            for range in ack.ranges where !pending.insert(range, floor: acknowledged) { dropped += 1 }
            stats.rangesRequested &+= UInt32(ack.ranges.count)
            if ack.flags.contains(.probe) {
                stats.probes &+= 1
                // The client heard nothing for a while: whatever was sent above `highest` is lost.
                if ack.highest < cursor { cursor = max(ack.highest, acknowledged) }
            }
            if pending.isEmpty { drainedAckSeq = lastAckSeq }
        }
        // A client that holds everything, or probes at the end, is owed the trailer again.
        if cursor == total && pending.isEmpty && (ack.flags.contains(.probe) || ack.cumulative == total) {
            trailerOwed = true
        }
        if !hadWork && hasDataToSend && nextSendAt < now { nextSendAt = now }
        return (ack.ranges.count, dropped)
    }

    /// One datagram, if one is due: requested ranges first, then new numbers in order, then the
    /// trailer. DATA is paced by `config.interval`; the trailer is not.
    mutating func produce(now: Instant, config: ServerConfig, into buffer: UnsafeMutableRawBufferPointer) -> SendRecord? {
        if hasDataToSend && nextSendAt <= now {
            let batch = UInt32(config.batch)
            let end = windowEnd
            let range: IndexRange
            var retransmit = false
            if let first = pending.first, first.start < end {
                range = pending.popFront(limit: min(batch, end - first.start))!
                retransmit = true
            } else {
                let stop = UInt32(min(UInt64(cursor) + UInt64(batch), UInt64(end)))
                range = IndexRange(cursor, stop)
                cursor = stop
                retransmit = range.start < sentThrough
            }
            precondition(range.start < range.end && range.start >= acknowledged && range.end <= end,
                         "DATA must lie inside the window")
            precondition(range.start <= sentThrough, "numbers are first sent in order")
            // The datagram that empties the queue already tells the client so.
            if pending.isEmpty { drainedAckSeq = lastAckSeq }
            // Numbers sent for the first time join the running checksum in the datagram's CRC pass.
            let length = WireEncoder.encodeData(tag: tag, echo: drainedAckSeq, total: total, index: range.start, count: Int(range.count),
                                                generator: generator, firstNew: Int(min(sentThrough, range.end) - range.start),
                                                folding: &checksum, into: buffer)
            stats.dataSent &+= 1
            if retransmit { stats.retransmittedDatagrams &+= 1 }
            var late = false
            if config.interval.value > 0 {
                let lag = now - nextSendAt
                late = lag > config.lateThreshold
                nextSendAt = lag > config.interval ? now + config.interval : nextSendAt + config.interval
            }
            if cursor == total && pending.isEmpty { trailerOwed = true }
            return SendRecord(kind: .data(numbers: range.count, retransmit: retransmit, late: late), length: length)
        }
        if trailerOwed && !hasDataToSend {
            precondition(sentThrough == total, "the trailer follows every number")
            trailerOwed = false
            drainedAckSeq = lastAckSeq
            let m = TrailerMessage(tag: tag, echo: drainedAckSeq, total: total, sequenceCRC: checksum.crcValue, sum: checksum.sum)
            stats.trailersSent &+= 1
            return SendRecord(kind: .trailer, length: WireEncoder.encode(m, into: buffer))
        }
        return nil
    }
}
