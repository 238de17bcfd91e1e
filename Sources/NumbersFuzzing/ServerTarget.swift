import NumbersInvariants
import NumbersProtocol

extension FuzzTargets {
    /// Target `server`: a program of datagrams from four sources at arbitrary time steps, fed to
    /// a `ServerEngine` with a small configuration (3 sessions, small windows, short TTL and token
    /// period). After every step everything the server wants to send is polled and checked by the
    /// simulation's `InvariantChecker` (windows, true numbers and checksums, no amplification, no
    /// early expiry, sessions in order and within the bound), and here: everything the server sends
    /// decodes and is a server-to-client type; `nextDeadline` is in the future once it is idle.
    ///
    /// Program: one configuration byte, then steps. A step is an op byte (bits 0–1 the source,
    /// 2–4 the operation, 5–7 a time-step class followed by a multiplier byte), then the
    /// operation's fields; see `ServerProgram` for the layout.
    package static func server(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var harness = ServerHarness(configByte: input.u8())
        defer { harness.close() }
        var steps = 0
        while !input.isEmpty && steps < ServerProgram.maxSteps {
            harness.step(&input)
            steps += 1
        }
    }
}

/// The layout of a server program, shared by the target and the seed-corpus generator.
package enum ServerProgram {
    package static let maxSteps = 4_096
    /// The sources: two ports of one host, another host, an IPv6 host.
    package static let addresses: [PeerAddress] = [
        PeerAddress(ipv4: (10, 0, 0, 1), port: 4000),
        PeerAddress(ipv4: (10, 0, 0, 1), port: 4001),
        PeerAddress(ipv4: (192, 168, 7, 9), port: 4000),
        PeerAddress(family: .ipv6, port: 4000, high: 0x2001_0DB8_0000_0000, low: 0x1),
    ]
    package static let clientIDs: [ClientID] = [
        ClientID(high: 0x1111_1111_1111_4111, low: 0x8111_1111_1111_1111),
        ClientID(high: 0x2222_2222_2222_4222, low: 0x8222_2222_2222_2222),
        ClientID(high: 0x3333_3333_3333_4333, low: 0x8333_3333_3333_3333),
        ClientID(high: 0x4444_4444_4444_4444, low: 0x8444_4444_4444_4444),
    ]
    package static let key = SipHashKey(k0: 0x0706_0504_0302_0100, k1: 0x0F0E_0D0C_0B0A_0908)
    package static let seedSource: UInt64 = 0x5EED_0F_5E55_1095
    package static let start = Instant(nanoseconds: 1_000_000_000_000)
    package static let maxSessions = 3

    /// Configuration byte: bit 0 paced (10 ms) or unpaced; bits 1–2 the batch; bit 3 the window;
    /// bit 4 a 30 s rather than 2 s session TTL. The token period is 4 s.
    package static func config(_ b: UInt8) -> ServerConfig {
        var c = ServerConfig()
        c.interval = b & 1 != 0 ? .milliseconds(10) : .zero
        c.batch = [1, 5, 64, Limits.maxNumbersPerDatagram][Int((b >> 1) & 3)]
        c.window = (b >> 3) & 1 != 0 ? 1_024 : Limits.minWindow
        c.sessionTTL = (b >> 4) & 1 != 0 ? .seconds(30 as UInt64) : .seconds(2 as UInt64)
        c.maxSessions = maxSessions
        c.tokenPeriod = .seconds(4 as UInt64)
        return c
    }

    /// Operations (bits 2–4 of the op byte).
    package enum Op: UInt8, CaseIterable {
        /// u16 length (mod 1201), then that many bytes.
        case raw = 0
        /// client, tag, count, resumeFrom, window, token, ackSeq.
        case open = 1
        /// flags, client, tag, token, ackSeq, cumulative, highest, range count, (gap u8, length u8)×k.
        case ack = 2
        /// u8: which of the last 16 datagrams to send again (from this op's source).
        case replay = 3
        /// u8 position, u8 xor, u8 (bit 0 set: leave the CRC broken): the last datagram, mutated.
        case mutate = 4
        /// Nothing but the time step.
        case idle = 5
        /// client, token, u8 shape: the ACK a well-behaved client would send for what it was sent.
        case goodAck = 6
        /// client, token: a DONE ACK for the session's whole sequence.
        case doneAck = 7
    }

    /// Time-step units (bits 5–7 of the op byte), multiplied by the next byte.
    package static let timeUnits: [UInt64] = [0, 1_000, 50_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 30_000_000_000]

    package static func opByte(source: Int, op: Op, timeClass: UInt8 = 0) -> UInt8 {
        UInt8(source & 3) | op.rawValue << 2 | (timeClass & 7) << 5
    }

    /// Token field selectors.
    package enum Token: UInt8 { case none = 0, lastChallenge = 1, stolen = 2, raw = 3, fresh = 4 }
    /// u32 field selectors (low 3 bits; the high 5 bits are a small operand).
    package enum Value: UInt8 { case small = 0, u8 = 1, u16 = 2, u32 = 3, totalMinus = 4, sentMinus = 5, acknowledgedPlus = 6, cursorMinus = 7 }
}

struct ServerHarness {
    let config: ServerConfig
    var engine: ServerEngine<InMemorySessionStore>
    let validator: AddressValidator
    var now = ServerProgram.start
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.maxDatagramSize, alignment: 8)

    var checker: InvariantChecker
    var lastChallenge: [PeerAddress: UInt64] = [:]
    var ackSeqs: [UInt32] = [1, 1, 1, 1]
    var history: [[UInt8]] = []

    init(configByte: UInt8) {
        config = ServerProgram.config(configByte)
        engine = ServerEngine(config: config, store: InMemorySessionStore(), key: ServerProgram.key,
                              seedSource: ServerProgram.seedSource)
        validator = AddressValidator(key: ServerProgram.key, period: config.tokenPeriod)
        checker = InvariantChecker(config: config, key: ServerProgram.key, seed: nil)
    }

    func close() { buffer.deallocate() }

    // MARK: Steps

    mutating func step(_ input: inout FuzzInput) {
        let op = input.u8()
        let sourceIndex = Int(op & 3)
        let source = ServerProgram.addresses[sourceIndex]
        let timeClass = Int(op >> 5)
        if timeClass != 0 {
            let step = ServerProgram.timeUnits[timeClass] * UInt64(input.u8())
            now = now + Nanoseconds(step)
        }
        var datagram: [UInt8]?
        switch ServerProgram.Op(rawValue: (op >> 2) & 7)! {
        case .raw:
            let length = Int(input.u16()) % (Limits.maxDatagramSize + 1)
            datagram = Array(input.take(length))
        case .open:
            datagram = open(&input, source: source)
        case .ack:
            datagram = ack(&input, source: source)
        case .replay:
            let k = Int(input.u8())
            if !history.isEmpty { datagram = history[k % history.count] }
        case .mutate:
            let position = Int(input.u8()), xor = input.u8(), keepBroken = input.u8() & 1 != 0
            if var d = history.last, !d.isEmpty {
                d[position % d.count] ^= xor
                if !keepBroken { fixChecksum(&d) }
                datagram = d
            }
        case .idle:
            break
        case .goodAck:
            datagram = goodAck(&input, source: source)
        case .doneAck:
            datagram = doneAck(&input, source: source)
        }
        if let datagram {
            remember(datagram)
            deliver(datagram, from: source)
        }
        drain()
        checkSessions()
    }

    mutating func remember(_ d: [UInt8]) {
        if history.count == 16 { history.removeFirst() }
        history.append(d)
    }

    mutating func deliver(_ d: [UInt8], from source: PeerAddress) {
        let store = engine.store
        d.withUnsafeBytes { raw in
            checker.serverReceives(raw, from: source, now: now, session: store.session)
            engine.handle(raw, from: source, now: now)
        }
        report()
    }

    /// A violation the checker found is a crash, which libFuzzer records.
    func report() {
        if let first = checker.violations.first { violated(first.description) }
    }

    // MARK: Fields

    mutating func clientIndex(_ input: inout FuzzInput) -> Int { Int(input.u8() & 3) }

    mutating func tag(_ input: inout FuzzInput) -> UInt32 {
        let b = input.u8()
        return b & 0x80 != 0 ? input.u32() : UInt32(b & 3) + 1
    }

    mutating func token(_ input: inout FuzzInput, source: Int, client: Int) -> UInt64 {
        switch input.u8() % 5 {
        case ServerProgram.Token.none.rawValue: return 0
        case ServerProgram.Token.lastChallenge.rawValue: return lastChallenge[ServerProgram.addresses[source]] ?? 0
        case ServerProgram.Token.stolen.rawValue: return lastChallenge[ServerProgram.addresses[(source + 1) & 3]] ?? 0
        case ServerProgram.Token.raw.rawValue: return input.u64()
        default:
            return validator.token(for: ServerProgram.addresses[source], clientID: ServerProgram.clientIDs[client], now: now)
        }
    }

    mutating func ackSeq(_ input: inout FuzzInput, client: Int) -> UInt32 {
        let b = input.u8()
        switch b & 3 {
        case 0: ackSeqs[client] &+= 1 + UInt32(b >> 2)
        case 1: break
        case 2: return ackSeqs[client] &- UInt32(b >> 2)
        default: return input.u32()
        }
        return ackSeqs[client]
    }

    /// A u32 field, raw or relative to the server's session for `client`.
    mutating func value(_ input: inout FuzzInput, client: Int) -> UInt32 {
        let b = input.u8()
        let small = UInt32(b >> 3)
        let s = engine.store.session(ServerProgram.clientIDs[client])
        func minus(_ x: UInt32) -> UInt32 { x >= small ? x - small : 0 }
        switch ServerProgram.Value(rawValue: b & 7)! {
        case .small: return small
        case .u8: return UInt32(input.u8())
        case .u16: return UInt32(input.u16())
        case .u32: return input.u32()
        case .totalMinus: return minus(s?.total ?? 0)
        case .sentMinus: return minus(s?.sentThrough ?? 0)
        case .acknowledgedPlus: return (s?.acknowledged ?? 0) &+ small
        case .cursorMinus: return minus(s?.cursor ?? 0)
        }
    }

    mutating func window(_ input: inout FuzzInput) -> UInt32 {
        switch input.u8() & 3 {
        case 0: return Limits.minWindow
        case 1: return 1_024
        case 2: return input.u32()
        default: return Limits.maxWindow
        }
    }

    // MARK: Client datagrams

    mutating func open(_ input: inout FuzzInput, source: PeerAddress) -> [UInt8] {
        let c = clientIndex(&input)
        let tag = tag(&input)
        let count = value(&input, client: c)
        var resumeFrom = value(&input, client: c)
        if count != 0 && resumeFrom > count { resumeFrom = count }
        let window = window(&input)
        let token = token(&input, source: ServerProgram.addresses.firstIndex(of: source)!, client: c)
        let seq = ackSeq(&input, client: c)
        let m = OpenMessage(tag: tag, clientID: ServerProgram.clientIDs[c], count: count, resumeFrom: resumeFrom,
                            window: window, token: token, ackSeq: seq)
        return encoded { WireEncoder.encode(m, into: $0) }
    }

    mutating func ack(_ input: inout FuzzInput, source: PeerAddress) -> [UInt8] {
        let flagByte = input.u8()
        var flags = AckMessage.Flags(rawValue: flagByte & 0x80 != 0 ? flagByte & 0x7F : flagByte & 3)
        let c = clientIndex(&input)
        let tag = tag(&input)
        let token = token(&input, source: ServerProgram.addresses.firstIndex(of: source)!, client: c)
        let seq = ackSeq(&input, client: c)
        let cumulative = value(&input, client: c)
        var highest = max(value(&input, client: c), cumulative)
        var ranges: [IndexRange] = []
        let k = Int(input.u8()) % (Limits.maxAckRanges + 1)
        var floor = cumulative
        for i in 0..<k {
            let gap = UInt32(input.u8()) + (i == 0 ? 0 : 1), length = UInt32(input.u8()) + 1
            guard floor <= UInt32.max - gap - length else { break }
            ranges.append(IndexRange(floor + gap, floor + gap + length))
            floor += gap + length
        }
        highest = max(highest, floor)
        if flags.contains(.done) && flagByte & 0x80 == 0 {
            flags = .done; ranges.removeAll(); highest = cumulative
        }
        return encodeAck(flags: flags, tag: tag, client: c, token: token, ackSeq: seq, cumulative: cumulative,
                         highest: highest, ranges: ranges)
    }

    mutating func goodAck(_ input: inout FuzzInput, source: PeerAddress) -> [UInt8] {
        let c = clientIndex(&input)
        let token = token(&input, source: ServerProgram.addresses.firstIndex(of: source)!, client: c)
        let shape = input.u8()
        let s = engine.store.session(ServerProgram.clientIDs[c])
        let highest = s?.sentThrough ?? 0
        let back = min(UInt32(shape & 0x3F), highest)
        let cumulative = highest - back
        var ranges: [IndexRange] = []
        if shape & 0x40 != 0 && back > 1 {
            ranges.append(IndexRange(cumulative + 1, highest))     // index `cumulative` arrived late
        }
        ackSeqs[c] &+= 1
        return encodeAck(flags: shape & 0x80 != 0 ? .probe : [], tag: s?.tag ?? 1, client: c, token: token,
                         ackSeq: ackSeqs[c], cumulative: cumulative, highest: highest, ranges: ranges)
    }

    mutating func doneAck(_ input: inout FuzzInput, source: PeerAddress) -> [UInt8] {
        let c = clientIndex(&input)
        let token = token(&input, source: ServerProgram.addresses.firstIndex(of: source)!, client: c)
        let s = engine.store.session(ServerProgram.clientIDs[c])
        ackSeqs[c] &+= 1
        return encodeAck(flags: .done, tag: s?.tag ?? 1, client: c, token: token, ackSeq: ackSeqs[c],
                         cumulative: s?.total ?? 0, highest: s?.total ?? 0, ranges: [])
    }

    func encodeAck(flags: AckMessage.Flags, tag: UInt32, client: Int, token: UInt64, ackSeq: UInt32,
                   cumulative: UInt32, highest: UInt32, ranges: [IndexRange]) -> [UInt8] {
        ranges.withUnsafeBufferPointer { r in
            let m = AckMessage(flags: flags, tag: tag, clientID: ServerProgram.clientIDs[client], token: token,
                               ackSeq: ackSeq, cumulative: cumulative, highest: highest, ranges: AckRanges(r))
            return encoded { WireEncoder.encode(m, into: $0) }
        }
    }

    // MARK: Checks

    /// Polls until the server is idle, checking every datagram it sends.
    mutating func drain() {
        var polls = 0
        while let t = engine.poll(now: now, into: buffer) {
            polls += 1
            invariant(polls <= 100_000, "poll never goes idle")
            check(t)
        }
        while let event = engine.pollEvent() {
            if case .ended(let id, _, _, let reason, _) = event { checker.sessionEnded(id, reason: reason, now: now) }
        }
        report()
        if let deadline = engine.nextDeadline {
            invariant(deadline > now, "idle, yet nextDeadline \(deadline) is not after now \(now): the caller would spin")
        }
    }

    mutating func check(_ t: Transmit) {
        invariant(t.length > 0 && t.length <= Limits.maxDatagramSize, "datagram of \(t.length) bytes")
        let datagram = UnsafeRawBufferPointer(rebasing: buffer[0..<t.length])
        checker.serverSends(datagram, to: t.destination, now: now, sessions: engine.store.allSessions)
        report()
        switch WireDecoder.decode(datagram) {
        case .failure(let e):
            violated("the server sent a datagram that does not decode: \(e)")
        case .success(.open), .success(.ack):
            violated("the server sent a client-to-server type")
        case .success(.challenge(let m)):
            invariant(m.token != 0, "a CHALLENGE without a token")
            lastChallenge[t.destination] = m.token
        case .success(.reject), .success(.data), .success(.trailer):
            break
        }
    }

    mutating func checkSessions() {
        checker.sessionsHold(engine.store.allSessions, now: now)
        report()
    }
}
