import NumbersProtocol

extension FuzzTargets {
    /// Target `client`: a `ClientEngine` for a small n, driven by a simulated server that knows
    /// the true seed. The program sends it DATA (true numbers, another seed's, or corrupted),
    /// TRAILERs (true, another seed's, consistent with what the client holds, or arbitrary),
    /// CHALLENGEs, REJECTs and raw bytes, from the server or a stranger, at arbitrary time steps.
    ///
    /// The key invariant: the client never reports PASS unless it holds exactly the sequence whose
    /// trailer it verified. The harness keeps its own model of what the client holds (for each
    /// index, the first value delivered in a DATA the client accepted while the index lay inside
    /// its window) and checks, whenever the client finishes:
    /// - it holds every index below n, and its reported CRC and sum are those of the model's
    ///   numbers, in order (so a PASS means the model's sequence matches the trailer);
    /// - the trailer it compared against is the first one it accepted;
    /// - a client given only true numbers and the true trailer reports PASS.
    /// And at every step: everything it sends decodes, no ACK asks for an index it holds or one
    /// beyond its receive window, its cumulative ACK is the model's contiguous prefix, a status
    /// once over never changes, a failed client sends nothing and a finished one at most four
    /// DONE ACKs, and it always has a deadline until it is over (never idles forever, never spins).
    package static func client(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var harness = ClientHarness(&input)
        defer { harness.close() }
        harness.drain()
        var steps = 0
        while !input.isEmpty && steps < ClientProgram.maxSteps {
            harness.step(&input)
            steps += 1
        }
    }
}

/// The layout of a client program, shared by the target and the seed-corpus generator.
package enum ClientProgram {
    package static let maxSteps = 4_096
    package static let server = PeerAddress(ipv4: (10, 9, 8, 7), port: 9000)
    package static let stranger = PeerAddress(ipv4: (10, 9, 8, 7), port: 9001)
    package static let clientID = ClientID(high: 0x0123_4567_89AB_4DEF, low: 0x8123_4567_89AB_CDEF)
    package static let tag: UInt32 = 0x7A67_0001
    package static let start = Instant(nanoseconds: 1_000_000_000_000)
    /// The largest n the harness computes a true checksum for.
    package static let maxChecksummed: UInt32 = 1 << 16

    /// Header: a mode byte (bits 0–1: start(n), resume(any n), resume(expected n), start(n);
    /// bit 2: window 4096 instead of the minimum; bit 3: in resume(any n) mode the server's n is a
    /// raw u32 that follows; bits 4–7: which true seed), then n − 1 as a u16 (mod 3000).
    package static func header(mode: UInt8, n: UInt32) -> [UInt8] {
        var p = FuzzProgram()
        p.u8(mode); p.u16(UInt16(n - 1))
        return p.bytes
    }

    package static func seed(_ selector: UInt8) -> UInt64 { 0xA5A5_0000_0000_0001 &+ UInt64(selector) &* 0x9E37_79B9 }

    /// Operations (bits 0–2 of the op byte). Bits 3–4 equal to 3 mean an anomaly byte follows
    /// (bit 0: from a stranger, bit 1: a foreign tag); bits 5–7 a time-step class and a byte.
    package enum Op: UInt8, CaseIterable {
        /// index selector, count, numbers selector (+ xor byte), echo.
        case data = 0
        /// selector (true, other seed, consistent with the client's numbers, raw crc u32 + sum u64), echo.
        case trailer = 1
        /// u8 (bit 0: a raw u64 follows; else the token is the high bits).
        case challenge = 2
        /// reason u8.
        case reject = 3
        /// u16 length (mod 1201), bytes.
        case raw = 4
        /// u32 total, u8 (bit 0: TRAILER, else DATA of index 0).
        case oddTotal = 5
        /// u8 batch: what a good server sends for the client's last datagram.
        case serve = 6
        /// Nothing but the time step.
        case idle = 7
    }

    package static func opByte(_ op: Op, anomaly: Bool = false, timeClass: UInt8 = 0) -> UInt8 {
        op.rawValue | (anomaly ? 3 << 3 : 0) | (timeClass & 7) << 5
    }

    package static let timeUnits: [UInt64] = ServerProgram.timeUnits
}

struct ClientHarness {
    let mode: ClientConfig.Mode
    var client: ClientEngine
    let n: UInt32
    /// The simulated server's n.
    let total: UInt32
    let truth: SequenceGenerator
    let other: SequenceGenerator
    var now = ClientProgram.start
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.maxDatagramSize, alignment: 8)

    /// The model: what the client holds, and the first TRAILER it accepted.
    var held: [UInt32: UInt32] = [:]
    var heldPrefix: UInt32 = 0
    var allTrue = true
    var firstTrailer: TrailerMessage?
    var finalStatus: ClientStatus?
    var verified = false

    var serverCursor: UInt32 = 0
    var lastRequest: (cumulative: UInt32, ranges: [IndexRange])?
    var lastAckSeq: UInt32 = 0
    var doneSent = 0
    var trueChecksum: SequenceChecksum?
    var otherChecksum: SequenceChecksum?

    init(_ input: inout FuzzInput) {
        let m = input.u8()
        n = 1 + UInt32(input.u16() % 3_000)
        switch m & 3 {
        case 1: mode = .resume(expected: nil)
        case 2: mode = .resume(expected: n)
        default: mode = .start(count: n)
        }
        if m & 3 == 1 && m & 8 != 0 { total = max(input.u32(), 1) } else { total = n }
        truth = SequenceGenerator(seed: ClientProgram.seed(m >> 4))
        other = SequenceGenerator(seed: ClientProgram.seed(m >> 4) ^ 0xFFFF_0000_FFFF)
        var config = ClientConfig(clientID: ClientProgram.clientID, mode: mode, server: ClientProgram.server, tag: ClientProgram.tag)
        config.window = m & 4 != 0 ? 4_096 : Limits.minWindow
        client = ClientEngine(config: config, now: now, randomSeed: UInt64(m))
    }

    func close() { buffer.deallocate() }

    mutating func step(_ input: inout FuzzInput) {
        let op = input.u8()
        var source = ClientProgram.server
        var tag = ClientProgram.tag
        if (op >> 3) & 3 == 3 {
            let anomaly = input.u8()
            if anomaly & 1 != 0 { source = ClientProgram.stranger }
            if anomaly & 2 != 0 { tag = ClientProgram.tag ^ UInt32(anomaly | 1) << 8 }
        }
        let timeClass = Int(op >> 5)
        if timeClass != 0 {
            now = now + Nanoseconds(ClientProgram.timeUnits[timeClass] * UInt64(input.u8()))
        }
        var datagram: [UInt8]?
        switch ClientProgram.Op(rawValue: op & 7)! {
        case .data: datagram = data(&input, tag: tag)
        case .trailer: datagram = trailer(&input, tag: tag)
        case .challenge:
            let b = input.u8()
            let token = b & 1 != 0 ? input.u64() : UInt64(b >> 1)
            datagram = encoded { WireEncoder.encode(ChallengeMessage(tag: tag, token: token), into: $0) }
        case .reject:
            let b = input.u8()
            datagram = encoded { WireEncoder.encode(RejectMessage(tag: tag, reason: RejectReason(rawValue: 1 + b % 4)!), into: $0) }
            if b & 0x80 != 0 { datagram![6] = b & 0x7F; fixChecksum(&datagram!) }   // any reason byte
        case .raw:
            let length = Int(input.u16()) % (Limits.maxDatagramSize + 1)
            datagram = Array(input.take(length))
        case .oddTotal:
            let t = max(input.u32(), 1)
            if input.u8() & 1 != 0 {
                datagram = encoded { WireEncoder.encode(TrailerMessage(tag: tag, echo: lastAckSeq, total: t, sequenceCRC: 0, sum: 0), into: $0) }
            } else {
                let g = truth
                datagram = encoded { WireEncoder.encodeData(tag: tag, echo: lastAckSeq, total: t, index: 0, count: 1, into: $0) { g.number(at: UInt32($0)) } }
            }
        case .serve:
            datagram = serve(&input, tag: tag)
        case .idle:
            break
        }
        if let datagram { deliver(datagram, from: source) }
        drain()
    }

    // MARK: The simulated server

    mutating func echo(_ input: inout FuzzInput) -> UInt32 {
        let e = input.u8()
        return e & 1 != 0 ? lastAckSeq : UInt32(e >> 1)
    }

    mutating func data(_ input: inout FuzzInput, tag: UInt32) -> [UInt8] {
        let s = input.u8()
        var index: UInt32
        switch s & 3 {
        case 0: index = client.cumulative &+ UInt32(s >> 2)
        case 1: index = serverCursor &+ UInt32(s >> 2)
        case 2: index = UInt32(input.u16())
        default: index = input.u32()
        }
        if index >= total { index %= total }
        let c = input.u8()
        let count = Int(min(UInt32(c == 255 ? Limits.maxNumbersPerDatagram : 1 + Int(c) % Limits.maxNumbersPerDatagram), total - index))
        let v = input.u8()
        let flip = v & 3 == 2 ? (Int(v >> 2) % count, UInt32(input.u8() | 1)) : nil
        let echo = echo(&input)
        let g = v & 3 == 1 ? other : truth
        let constant = UInt32(v >> 2), constantMode = v & 3 == 3
        serverCursor = max(serverCursor, index + UInt32(count))
        return encoded {
            WireEncoder.encodeData(tag: tag, echo: echo, total: total, index: index, count: count, into: $0) { k in
                if constantMode { return constant }
                let x = g.number(at: index + UInt32(k))
                if let flip, flip.0 == k { return x ^ flip.1 }
                return x
            }
        }
    }

    mutating func trailer(_ input: inout FuzzInput, tag: UInt32) -> [UInt8] {
        let s = input.u8()
        var crc: UInt32 = 0, sum: UInt64 = 0
        switch s & 3 {
        case 0:
            if let c = trueSequenceChecksum() { crc = c.crcValue; sum = c.sum }
        case 1:
            if total <= ClientProgram.maxChecksummed {
                let c = otherChecksum ?? SequenceChecksum.of(other, count: total)
                otherChecksum = c
                crc = c.crcValue; sum = c.sum
            }
        case 2:
            // Consistent with what the client holds, the other seed's numbers filling the gaps: a
            // forged stream the client must accept as long as it is self-consistent.
            if total <= ClientProgram.maxChecksummed {
                var c = SequenceChecksum()
                for i in 0..<total { c.add(held[i] ?? other.number(at: i)) }
                crc = c.crcValue; sum = c.sum
            }
        default:
            crc = input.u32(); sum = min(input.u64(), UInt64(total) * UInt64(UInt32.max))
        }
        let echo = echo(&input)
        return encoded { WireEncoder.encode(TrailerMessage(tag: tag, echo: echo, total: total, sequenceCRC: crc, sum: sum), into: $0) }
    }

    mutating func trueSequenceChecksum() -> SequenceChecksum? {
        if trueChecksum == nil && total <= ClientProgram.maxChecksummed { trueChecksum = SequenceChecksum.of(truth, count: total) }
        return trueChecksum
    }

    /// What a correct server sends next: the first range the client asked for, else new numbers,
    /// else the trailer.
    mutating func serve(_ input: inout FuzzInput, tag: UInt32) -> [UInt8] {
        let batch = UInt32(1 + Int(input.u8()) % Limits.maxNumbersPerDatagram)
        var start = serverCursor, end = min(UInt64(serverCursor) + UInt64(batch), UInt64(total))
        if let r = lastRequest?.ranges.first, r.start < total {
            start = r.start; end = min(UInt64(r.end), UInt64(r.start) + UInt64(batch), UInt64(total))
        } else if serverCursor >= total {
            let c = trueSequenceChecksum() ?? SequenceChecksum()
            return encoded { WireEncoder.encode(TrailerMessage(tag: tag, echo: lastAckSeq, total: total, sequenceCRC: c.crcValue, sum: c.sum), into: $0) }
        }
        let g = truth, first = start
        serverCursor = max(serverCursor, UInt32(end))
        return encoded {
            WireEncoder.encodeData(tag: tag, echo: lastAckSeq, total: total, index: first, count: Int(UInt64(end) - UInt64(first)), into: $0) {
                g.number(at: first + UInt32($0))
            }
        }
    }

    // MARK: Delivery and the model

    mutating func deliver(_ d: [UInt8], from source: PeerAddress) {
        let cumulativeBefore = client.cumulative, capacity = client.advertisedWindow
        let dataBefore = client.counters.dataReceived, trailersBefore = client.counters.trailersReceived
        d.withUnsafeBytes { raw in
            client.handle(raw, from: source, now: now)
            let decoded = WireDecoder.decode(raw)
            if client.counters.dataReceived != dataBefore {
                guard case .success(.data(let m)) = decoded else { violated("counted a DATA that was not one") }
                invariant(source == ClientProgram.server && m.tag == ClientProgram.tag, "accepted a DATA from \(source) with tag \(m.tag)")
                for (k, value) in m.numbers.enumerated() {
                    let i = m.index + UInt32(k)
                    guard i >= cumulativeBefore, i - cumulativeBefore < capacity, held[i] == nil else { continue }
                    held[i] = value
                    if value != truth.number(at: i) { allTrue = false }
                }
                while held[heldPrefix] != nil && heldPrefix < UInt32.max { heldPrefix += 1 }
            }
            if client.counters.trailersReceived != trailersBefore {
                guard case .success(.trailer(let m)) = decoded else { violated("counted a TRAILER that was not one") }
                invariant(source == ClientProgram.server && m.tag == ClientProgram.tag, "accepted a TRAILER from \(source) with tag \(m.tag)")
                if firstTrailer == nil { firstTrailer = m }
            }
        }
        checkStatus()
    }

    /// Polls until the client is idle, checking what it sends.
    mutating func drain() {
        var polls = 0
        while let length = client.poll(now: now, into: buffer) {
            polls += 1
            invariant(polls <= 10_000, "poll never goes idle")
            invariant(length > 0 && length <= Limits.maxDatagramSize, "datagram of \(length) bytes")
            if case .failed = finalStatus { violated("sent a datagram after failing (\(client.status))") }
            switch WireDecoder.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<length])) {
            case .failure(let e):
                violated("the client sent a datagram that does not decode: \(e)")
            case .success(.open(let m)):
                invariant(m.tag == ClientProgram.tag && m.clientID == ClientProgram.clientID, "OPEN with a foreign tag or ID")
                invariant(m.resumeFrom == client.cumulative && m.window == client.advertisedWindow, "OPEN disagrees with the client's state")
                lastAckSeq = m.ackSeq
                lastRequest = (m.resumeFrom, [])
            case .success(.ack(let m)):
                invariant(m.tag == ClientProgram.tag && m.clientID == ClientProgram.clientID, "ACK with a foreign tag or ID")
                invariant(m.cumulative == client.cumulative, "ACK cumulative \(m.cumulative), client's \(client.cumulative)")
                if m.flags.contains(.done) {
                    guard case .finished = client.status else { violated("DONE before finishing") }
                    doneSent += 1
                    invariant(doneSent <= 4, "DONE ACK number \(doneSent): a finished client answers stray datagrams without bound")
                    invariant(m.cumulative == client.total, "DONE below n")
                }
                // The client can hold only [cumulative, cumulative + capacity): asking for more is
                // pointless (it would drop the numbers) and means it looked beyond its buffer.
                let windowEnd = UInt64(client.cumulative) + UInt64(client.advertisedWindow)
                for r in m.ranges {
                    invariant(UInt64(r.end) <= windowEnd,
                                 "ACK \(m.ackSeq) asks for \(r), beyond the receive window [\(client.cumulative), \(windowEnd))")
                }
                var checked = 0
                for r in m.ranges {
                    var i = r.start
                    while i < r.end && checked < 4_096 {
                        invariant(held[i] == nil || i < client.cumulative, "ACK \(m.ackSeq) asks for index \(i), which the client holds")
                        i += 1; checked += 1
                    }
                }
                lastAckSeq = m.ackSeq
                lastRequest = (m.cumulative, Array(m.ranges))
            case .success:
                violated("the client sent a server-to-client type")
            }
        }
        checkStatus()
        if let deadline = client.nextDeadline {
            invariant(deadline > now, "idle, yet nextDeadline \(deadline) is not after now \(now): the caller would spin")
        } else {
            invariant(client.status.isOver, "not finished, yet no deadline: the client would wait forever")
        }
    }

    mutating func checkStatus() {
        invariant(client.cumulative == heldPrefix,
                     "cumulative \(client.cumulative), but the client holds a contiguous prefix of \(heldPrefix)")
        if let t = client.total {
            switch mode {
            case .start(let expected), .resume(.some(let expected)): invariant(t == expected, "accepted n \(t), asked for \(expected)")
            case .resume(nil): break
            }
        }
        if let finalStatus {
            invariant(client.status == finalStatus, "status \(finalStatus) changed to \(client.status)")
            return
        }
        switch client.status {
        case .finished(let r):
            verify(r)
            finalStatus = client.status
        case .failed:
            finalStatus = client.status
        case .connecting, .streaming:
            // Holding every number and a trailer, the client must have finished.
            if let t = client.total, firstTrailer != nil, heldPrefix >= t {
                violated("holds all \(t) numbers and a trailer, yet status is \(client.status)")
            }
        }
    }

    /// The key invariant, checked once when the client finishes.
    mutating func verify(_ r: ClientResult) {
        invariant(r.total == client.total, "result for n \(r.total), client's n \(String(describing: client.total))")
        invariant(heldPrefix >= r.total, "finished holding only \(heldPrefix) of \(r.total) numbers")
        var c = SequenceChecksum()
        var genuine = allTrue
        for i in 0..<r.total {
            let v = held[i]!
            c.add(v)
            if v != truth.number(at: i) { genuine = false }
        }
        invariant(r.sum == c.sum && r.computedCRC == c.crcValue,
                     "reported CRC \(r.computedCRC) sum \(r.sum), but the numbers it accepted give CRC \(c.crcValue) sum \(c.sum)")
        guard let trailer = firstTrailer else { violated("finished without a trailer") }
        invariant(trailer.total == r.total, "trailer for n \(trailer.total), result for \(r.total)")
        invariant(r.expectedCRC == trailer.sequenceCRC && r.expectedSum == trailer.sum,
                     "verified against CRC \(r.expectedCRC) sum \(r.expectedSum), not the first trailer it accepted")
        if r.passed {
            invariant(c.crcValue == trailer.sequenceCRC && c.sum == trailer.sum, "PASS, yet its numbers do not match the trailer")
        }
        if genuine, r.total == total, let t = trueSequenceChecksum(), t.crcValue == trailer.sequenceCRC, t.sum == trailer.sum {
            invariant(r.passed, "FAIL, though every number and the trailer are true")
        }
        verified = true
    }
}
