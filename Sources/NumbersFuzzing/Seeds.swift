import NumbersProtocol

/// The seed corpus and the dictionaries, generated from the protocol's own encoder and constants
/// (written to Fuzz/corpus/ and Fuzz/dict/ by Fuzz/tools/make-corpus.swift, via `Fuzz/run --seeds`).
package enum FuzzSeeds {
    package static func seeds(for target: String) -> [(name: String, bytes: [UInt8])] {
        switch target {
        case "decode": return decodeSeeds()
        case "server": return serverSeeds()
        case "client": return clientSeeds()
        default: return []
        }
    }

    // MARK: decode: one valid datagram of every type and shape

    static let id = ClientID(high: 0x0123_4567_89AB_4DEF, low: 0x8123_4567_89AB_CDEF)

    static func ack(_ flags: AckMessage.Flags, cumulative: UInt32, highest: UInt32, ranges: [IndexRange]) -> [UInt8] {
        ranges.withUnsafeBufferPointer { r in
            let m = AckMessage(flags: flags, tag: 7, clientID: id, token: 0x1234_5678_9ABC_DEF0, ackSeq: 9,
                               cumulative: cumulative, highest: highest, ranges: AckRanges(r))
            return encoded { WireEncoder.encode(m, into: $0) }
        }
    }

    static func decodeSeeds() -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        out.append(("open-new", encoded { WireEncoder.encode(OpenMessage(tag: 7, clientID: id, count: 1_000, resumeFrom: 0, window: 65_536, token: 0, ackSeq: 1), into: $0) }))
        out.append(("open-token", encoded { WireEncoder.encode(OpenMessage(tag: 7, clientID: id, count: 1_000, resumeFrom: 0, window: Limits.minWindow, token: 0xFEDC_BA98_7654_3210, ackSeq: 1), into: $0) }))
        out.append(("open-resume", encoded { WireEncoder.encode(OpenMessage(tag: 8, clientID: id, count: 0, resumeFrom: 500, window: Limits.maxWindow, token: 1, ackSeq: 40), into: $0) }))
        out.append(("ack-plain", ack([], cumulative: 100, highest: 120, ranges: [])))
        out.append(("ack-ranges", ack([], cumulative: 100, highest: 200, ranges: [IndexRange(100, 110), IndexRange(120, 121), IndexRange(150, 200)])))
        out.append(("ack-probe", ack(.probe, cumulative: 50, highest: 60, ranges: [IndexRange(55, 60)])))
        out.append(("ack-done", ack(.done, cumulative: 1_000, highest: 1_000, ranges: [])))
        let many = (0..<UInt32(Limits.maxAckRanges)).map { IndexRange(10 + 3 * $0, 11 + 3 * $0) }
        out.append(("ack-max-ranges", ack([], cumulative: 10, highest: 10 + 3 * UInt32(Limits.maxAckRanges), ranges: many)))
        out.append(("challenge", encoded { WireEncoder.encode(ChallengeMessage(tag: 7, token: 0x0BAD_CAFE_F00D_D00D), into: $0) }))
        let g = SequenceGenerator(seed: 42)
        out.append(("data-one", encoded { WireEncoder.encodeData(tag: 7, echo: 3, total: 1, index: 0, count: 1, into: $0) { g.number(at: UInt32($0)) } }))
        out.append(("data-full", encoded { WireEncoder.encodeData(tag: 7, echo: 3, total: 1_000, index: 100, count: Limits.maxNumbersPerDatagram, into: $0) { g.number(at: 100 + UInt32($0)) } }))
        out.append(("data-last", encoded { WireEncoder.encodeData(tag: 7, echo: 3, total: .max, index: .max - 2, count: 2, into: $0) { _ in .max } }))
        let c = SequenceChecksum.of(g, count: 1_000)
        out.append(("trailer", encoded { WireEncoder.encode(TrailerMessage(tag: 7, echo: 4, total: 1_000, sequenceCRC: c.crcValue, sum: c.sum), into: $0) }))
        out.append(("trailer-max", encoded { WireEncoder.encode(TrailerMessage(tag: 7, echo: 4, total: .max, sequenceCRC: .max, sum: UInt64(UInt32.max) * UInt64(UInt32.max)), into: $0) }))
        for reason in RejectReason.allCases {
            out.append(("reject-\(reason.rawValue)", encoded { WireEncoder.encode(RejectMessage(tag: 7, reason: reason), into: $0) }))
        }
        return out
    }

    // MARK: server programs

    /// Writes server programs in the layout `ServerProgram` documents.
    struct ServerWriter {
        var p = FuzzProgram()
        init(config: UInt8) { p.u8(config) }
        typealias Op = ServerProgram.Op
        mutating func op(_ op: Op, source: Int = 0, wait: (UInt8, UInt8)? = nil) {
            p.u8(ServerProgram.opByte(source: source, op: op, timeClass: wait?.0 ?? 0))
            if let wait { p.u8(wait.1) }
        }
        mutating func open(source: Int = 0, client: UInt8 = 0, tag: UInt8 = 0, count: UInt16, resume: UInt8 = 0,
                           window: UInt8 = 0, token: ServerProgram.Token, wait: (UInt8, UInt8)? = nil) {
            op(.open, source: source, wait: wait)
            p.u8(client); p.u8(tag)
            p.u8(ServerProgram.Value.u16.rawValue); p.u16(count)
            p.u8(resume)
            p.u8(window); p.u8(token.rawValue); p.u8(0)
        }
        mutating func goodAck(source: Int = 0, client: UInt8 = 0, token: ServerProgram.Token = .none, shape: UInt8 = 0,
                              wait: (UInt8, UInt8)? = nil) {
            op(.goodAck, source: source, wait: wait)
            p.u8(client); p.u8(token.rawValue); p.u8(shape)
        }
        mutating func doneAck(source: Int = 0, client: UInt8 = 0, token: ServerProgram.Token = .none) {
            op(.doneAck, source: source); p.u8(client); p.u8(token.rawValue)
        }
        mutating func ack(source: Int = 0, flags: UInt8, client: UInt8 = 0, tag: UInt8 = 0, token: ServerProgram.Token = .none,
                          cumulative: UInt8, highest: UInt8, ranges: [(UInt8, UInt8)]) {
            op(.ack, source: source)
            p.u8(flags); p.u8(client); p.u8(tag); p.u8(token.rawValue); p.u8(0)
            p.u8(cumulative); p.u8(highest)
            p.u8(UInt8(ranges.count))
            for r in ranges { p.u8(r.0); p.u8(r.1) }
        }
    }

    static func serverSeeds() -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        let v = ServerProgram.Value.self

        // The handshake: OPEN without a token, CHALLENGE, OPEN with it; stream to the end.
        for config: UInt8 in [0, 2, 7, 0x0E] {
            var w = ServerWriter(config: config)
            w.open(count: 60, token: .none)
            w.open(count: 60, token: .lastChallenge)
            for _ in 0..<16 { w.goodAck(wait: (3, 20)) }
            w.doneAck()
            w.op(.idle, wait: (6, 3))
            out.append(("transfer-config\(config)", w.p.bytes))
        }
        // Losses: ACKs that ask for ranges, a probe, a late arrival.
        do {
            var w = ServerWriter(config: 0x0A)
            w.open(count: 2_000, token: .fresh)
            w.ack(flags: 0, cumulative: v.small.rawValue | 2 << 3, highest: v.sentMinus.rawValue,
                  ranges: [(1, 3), (4, 10), (0, 1)])
            w.goodAck(shape: 0x40 | 5, wait: (2, 10))
            w.goodAck(shape: 0x80 | 20, wait: (5, 5))
            w.ack(flags: 2, cumulative: v.acknowledgedPlus.rawValue, highest: v.sentMinus.rawValue | 8 << 3, ranges: [])
            for _ in 0..<8 { w.goodAck(wait: (3, 5)) }
            out.append(("losses", w.p.bytes))
        }
        // The session bound: four clients, three sessions.
        do {
            var w = ServerWriter(config: 0x10)
            for c: UInt8 in 0..<4 { w.open(source: Int(c), client: c, count: 100, token: .fresh) }
            w.doneAck(client: 0, token: .none)
            w.open(source: 3, client: 3, count: 100, token: .fresh)
            out.append(("full", w.p.bytes))
        }
        // Migration: a second port of the same host takes the session over, after a challenge.
        do {
            var w = ServerWriter(config: 0x03)
            w.open(count: 500, token: .fresh)
            w.goodAck(source: 1, token: .none)
            w.goodAck(source: 1, token: .lastChallenge)
            w.goodAck(source: 0, token: .stolen)
            w.goodAck(source: 1, wait: (4, 3))
            out.append(("migrate", w.p.bytes))
        }
        // Resume: a new process (tag) of the same client, from what was sent; a bad resume.
        do {
            var w = ServerWriter(config: 0x04)
            w.open(count: 1_000, token: .fresh)
            w.goodAck(shape: 3)
            w.op(.open, source: 2)
            w.p.u8(0); w.p.u8(1); w.p.u8(v.small.rawValue); w.p.u8(v.sentMinus.rawValue | 4 << 3)
            w.p.u8(1); w.p.u8(ServerProgram.Token.fresh.rawValue); w.p.u8(0)
            w.op(.open, source: 2)
            w.p.u8(0); w.p.u8(2); w.p.u8(v.small.rawValue); w.p.u8(v.u32.rawValue); w.p.u32(.max)
            w.p.u8(1); w.p.u8(ServerProgram.Token.fresh.rawValue); w.p.u8(0)
            w.open(count: 999, token: .fresh)     // count mismatch
            out.append(("resume", w.p.bytes))
        }
        // Expiry and token epochs: the session and the challenge go stale.
        do {
            var w = ServerWriter(config: 0x00)
            w.open(count: 100, token: .none)
            w.open(count: 100, token: .lastChallenge, wait: (6, 9))
            w.open(count: 100, token: .lastChallenge)
            w.goodAck(wait: (6, 3))
            w.goodAck()
            out.append(("expiry", w.p.bytes))
        }
        // Replays, mutations and noise.
        do {
            var w = ServerWriter(config: 0x02)
            w.open(count: 300, token: .fresh)
            w.goodAck()
            w.op(.replay, source: 3); w.p.u8(0)
            w.op(.mutate, source: 0); w.p.u8(20); w.p.u8(0x40); w.p.u8(0)
            w.op(.raw, source: 2); w.p.u16(11); w.p.append(contentsOf: [1, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0])
            w.ack(source: 0, flags: 1, cumulative: v.totalMinus.rawValue, highest: 0, ranges: [])
            out.append(("noise", w.p.bytes))
        }
        return out
    }

    // MARK: client programs

    struct ClientWriter {
        var p = FuzzProgram()
        init(mode: UInt8, n: UInt32) { p.append(contentsOf: ClientProgram.header(mode: mode, n: n)) }
        mutating func op(_ op: ClientProgram.Op, wait: (UInt8, UInt8)? = nil) {
            p.u8(ClientProgram.opByte(op, timeClass: wait?.0 ?? 0))
            if let wait { p.u8(wait.1) }
        }
        mutating func serve(_ batch: UInt8, wait: (UInt8, UInt8)? = (3, 5)) { op(.serve, wait: wait); p.u8(batch - 1) }
        /// DATA at an absolute index (u16 selector).
        mutating func data(at index: UInt16, count: UInt8, numbers: UInt8 = 0, xor: UInt8? = nil) {
            op(.data); p.u8(2); p.u16(index); p.u8(count - 1); p.u8(numbers)
            if let xor { p.u8(xor) }
            p.u8(1)
        }
        mutating func trailer(_ selector: UInt8) { op(.trailer); p.u8(selector); p.u8(1) }
    }

    static func clientSeeds() -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        // Clean transfers, one per mode.
        for (mode, name) in [(UInt8(0), "start"), (1, "resume-any"), (2, "resume-expected"), (4, "start-wide")] {
            var w = ClientWriter(mode: mode, n: 200)
            for _ in 0..<8 { w.serve(50) }
            w.op(.idle, wait: (4, 1))
            w.serve(50)
            out.append(("clean-\(name)", w.p.bytes))
        }
        // Losses and reordering: a gap, the ACK that asks for it, the repair.
        do {
            var w = ClientWriter(mode: 0, n: 700)
            w.data(at: 0, count: 100)
            w.data(at: 200, count: 100)
            w.data(at: 100, count: 50)
            w.data(at: 600, count: 100)        // outside the window until it moves
            for _ in 0..<16 { w.serve(80) }
            out.append(("gaps", w.p.bytes))
        }
        // The handshake: a CHALLENGE before the stream; a REJECT ends it.
        do {
            var w = ClientWriter(mode: 0, n: 50)
            w.op(.challenge); w.p.u8(1); w.p.u64(0x0102_0304_0506_0708)
            w.serve(50); w.serve(50)
            out.append(("challenge", w.p.bytes))
            var r = ClientWriter(mode: 1, n: 50)
            r.op(.reject); r.p.u8(0)
            out.append(("reject", r.p.bytes))
        }
        // A corrupted number: the client must FAIL.
        do {
            var w = ClientWriter(mode: 0, n: 100)
            w.data(at: 0, count: 100, numbers: 2 | 5 << 2, xor: 0x10)
            w.trailer(0)
            out.append(("corrupt", w.p.bytes))
        }
        // A forged but self-consistent stream: another seed's numbers and their own trailer.
        do {
            var w = ClientWriter(mode: 0, n: 100)
            w.data(at: 0, count: 60, numbers: 1)
            w.trailer(2)
            w.data(at: 60, count: 40, numbers: 1)
            out.append(("forged", w.p.bytes))
        }
        // Silence: probes, backoff, giving up.
        do {
            var w = ClientWriter(mode: 0, n: 400)
            w.serve(100)
            w.op(.idle, wait: (5, 3)); w.op(.idle, wait: (6, 2)); w.serve(100)
            w.op(.idle, wait: (7, 3))
            out.append(("silence", w.p.bytes))
        }
        // The wrong n, a stranger, a foreign tag.
        do {
            var w = ClientWriter(mode: 2, n: 100)
            w.p.u8(ClientProgram.opByte(.serve, anomaly: true)); w.p.u8(1); w.p.u8(9)
            w.p.u8(ClientProgram.opByte(.serve, anomaly: true)); w.p.u8(2); w.p.u8(9)
            w.op(.oddTotal); w.p.u32(101); w.p.u8(0)
            out.append(("strangers", w.p.bytes))
        }
        return out
    }

    // MARK: dictionaries

    /// libFuzzer dictionary entries: the protocol's constants as they appear on the wire.
    package static func dictionary(for target: String) -> String {
        var entries: [(String, [UInt8])] = []
        func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { be32(v).reversed() }
        for t in MessageType.allCases { entries.append(("type_\(t)", [Wire.version, t.rawValue])) }
        for r in RejectReason.allCases { entries.append(("reason_\(r.rawValue)", [r.rawValue])) }
        entries.append(("flags_done", [AckMessage.Flags.done.rawValue]))
        entries.append(("flags_probe", [AckMessage.Flags.probe.rawValue]))
        let sizes: [(String, Int)] = [("open", OpenMessage.size), ("ack", AckMessage.size(rangeCount: 0)),
                                      ("challenge", ChallengeMessage.size), ("data1", DataMessage.size(count: 1)),
                                      ("trailer", TrailerMessage.size), ("reject", RejectMessage.size),
                                      ("max_datagram", Limits.maxDatagramSize)]
        let counts: [(String, UInt32)] = [("max_numbers", UInt32(Limits.maxNumbersPerDatagram)), ("max_ranges", UInt32(Limits.maxAckRanges)),
                                          ("min_window", Limits.minWindow), ("max_window", Limits.maxWindow),
                                          ("zero", 0), ("one", 1), ("max", .max), ("half", 1 << 31)]
        if target == "decode" {
            for (name, v) in counts { entries.append(("be32_\(name)", be32(v))) }
            entries.append(("be16_max_numbers", be16(UInt16(Limits.maxNumbersPerDatagram))))
            entries.append(("be16_one", be16(1)))
            entries.append(("ranges_max", [UInt8(Limits.maxAckRanges)]))
        } else {
            // Programs read little-endian fields; their lengths are u16s.
            for (name, v) in sizes { entries.append(("le16_size_\(name)", le16(UInt16(v)))) }
            for (name, v) in counts { entries.append(("le32_\(name)", le32(v))) }
            entries.append(("le16_max_numbers", le16(UInt16(Limits.maxNumbersPerDatagram))))
            if target == "server" {
                for op in ServerProgram.Op.allCases {
                    for s in 0..<4 { entries.append(("op_\(op)_\(s)", [ServerProgram.opByte(source: s, op: op)])) }
                }
            } else {
                for op in ClientProgram.Op.allCases { entries.append(("op_\(op)", [ClientProgram.opByte(op)])) }
            }
        }
        var text = "# Generated by Fuzz/tools/make-corpus.swift from the protocol's constants (\(target) target).\n"
        for (name, bytes) in entries {
            text += "\(name)=\"" + bytes.map { b in "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }.joined() + "\"\n"
        }
        return text
    }
}
