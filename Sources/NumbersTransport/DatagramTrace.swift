import NumbersImpairment
import NumbersProtocol
import NumbersReporting

/// The -trace file: JSON Lines, a header line then one line per datagram event, in the format
/// of docs/trace.md (version 1). Lines are written into a `BufferedFile` without allocating
/// (an IPv6 peer's text is the one exception).
final class DatagramTrace {
    static let version = 1
    private let file: BufferedFile
    private let origin: Instant
    /// The server names each line's peer; a client has one, named in the header.
    private let writesPeer: Bool

    init(path: String, side: String, origin: Instant, local: PeerAddress, peer: PeerAddress?, unixMicros: UInt64,
         simulator: String?) throws(InstrumentError) {
        file = try BufferedFile(path: path)
        self.origin = origin
        writesPeer = peer == nil
        let quoted = JSONText.quoted
        var header = "{\"trace\":\"numbers-station\",\"version\":\(Self.version),\"side\":\(quoted(side)),\"local\":\(quoted("\(local)"))"
        if let peer { header += ",\"peer\":\(quoted("\(peer)"))" }
        header += ",\"unixMicros\":\(unixMicros),\"simulator\":\(simulator.map(quoted) ?? "null")}"
        file.text(header)
        file.byte(10)
    }

    func close() { file.close() }
    var failure: String? { file.failure }

    /// One line: `event` for the datagram `bytes` to or from `peer` at `now`, with `reason` if any.
    func record(_ event: StaticString, _ bytes: UnsafeRawBufferPointer, peer: PeerAddress, now: Instant,
                reason: StaticString? = nil, decoded: Result<Message, DecodeError>? = nil) {
        beginLine(at: now)
        file.ascii(",\"ev\":\"")
        file.ascii(event)
        file.ascii("\"")
        if writesPeer {
            file.ascii(",\"peer\":\"")
            writeAddress(peer)
            file.ascii("\"")
        }
        if let reason {
            file.ascii(",\"reason\":\"")
            file.ascii(reason)
            file.ascii("\"")
        }
        file.ascii(",\"size\":")
        file.decimal(UInt64(bytes.count))
        switch decoded ?? WireDecoder.decode(bytes) {
        case .success(let message): fields(of: message)
        case .failure(let error):
            file.ascii(",\"type\":\"")
            file.ascii(bytes.count > 1 ? Self.typeName(MessageType(rawValue: bytes[1])) : "?")
            file.ascii("\",\"bad\":\"")
            file.ascii(error.key)
            file.ascii("\"")
        }
        file.ascii("}\n")
    }

    /// A line without a datagram: an offline period of the simulator starting.
    func offline(now: Instant, until: Instant) {
        beginLine(at: now)
        file.ascii(",\"ev\":\"offline\",\"until\":")
        file.decimal((until - origin).value / 1_000)
        file.ascii("}\n")
    }

    /// A line without a datagram: a session's congestion controller changed phase. Rates are
    /// bytes per second, the round trip and times microseconds, the background loss parts per
    /// million, so that every value is an integer.
    func congestion(_ event: CongestionEvent) {
        let s = event.state
        beginLine(at: event.at)
        file.ascii(",\"ev\":\"cc\",\"peer\":\"")
        writeAddress(event.peer)
        file.ascii("\",\"client\":\"")
        file.text(event.clientID.description)
        file.ascii("\",\"phase\":\"")
        file.text(s.phase.rawValue)
        file.ascii("\",\"rate\":")
        file.decimal(UInt64(s.pacingRate.rounded()))
        file.ascii(",\"bandwidth\":")
        file.decimal(UInt64(s.bandwidth.rounded()))
        file.ascii(",\"minRTT\":")
        if let rtt = s.minRTT { file.decimal(rtt.value / 1_000) } else { file.ascii("null") }
        file.ascii(",\"window\":")
        file.decimal(UInt64(s.window))
        file.ascii(",\"lossPPM\":")
        file.decimal(UInt64((min(max(s.backgroundLoss, 0), 1) * 1_000_000).rounded()))
        file.ascii("}\n")
    }

    /// Every line opens with its time: microseconds since the header's origin.
    private func beginLine(at instant: Instant) {
        file.reserve()
        file.ascii("{\"t\":")
        file.decimal((instant - origin).value / 1_000)
    }

    private func fields(of message: Message) {
        switch message {
        case .open(let m):
            field("type", "OPEN"); number("tag", m.tag); number("seq", m.ackSeq); number("count", m.count)
            number("resumeFrom", m.resumeFrom); number("window", m.window)
            file.ascii(m.token == 0 ? ",\"token\":false" : ",\"token\":true")
        case .ack(let m):
            field("type", "ACK"); number("tag", m.tag); number("seq", m.ackSeq); number("cum", m.cumulative)
            number("high", m.highest)
            if m.flags.contains(.probe) { file.ascii(",\"probe\":true") }
            if m.flags.contains(.done) { file.ascii(",\"done\":true") }
            file.ascii(",\"ranges\":[")
            for (i, r) in m.ranges.enumerated() {
                if i > 0 { file.byte(44) }
                file.byte(91); file.decimal(UInt64(r.start)); file.byte(44); file.decimal(UInt64(r.end)); file.byte(93)
            }
            file.byte(93)
        case .challenge(let m):
            field("type", "CHALLENGE"); number("tag", m.tag)
        case .data(let m):
            field("type", "DATA"); number("tag", m.tag); number("echo", m.echo); number("total", m.total)
            number("index", m.index); number("end", m.index &+ UInt32(m.numbers.count))
        case .trailer(let m):
            field("type", "TRAILER"); number("tag", m.tag); number("echo", m.echo); number("total", m.total)
            number("crc", m.sequenceCRC); file.ascii(",\"sum\":"); file.decimal(m.sum)
        case .reject(let m):
            field("type", "REJECT"); number("tag", m.tag); number("code", UInt32(m.reason.rawValue))
        }
    }

    private func field(_ key: StaticString, _ value: StaticString) {
        file.ascii(",\""); file.ascii(key); file.ascii("\":\""); file.ascii(value); file.ascii("\"")
    }

    private func number(_ key: StaticString, _ value: UInt32) {
        file.ascii(",\""); file.ascii(key); file.ascii("\":"); file.decimal(UInt64(value))
    }

    private func writeAddress(_ address: PeerAddress) {
        guard address.family == .ipv4 else { file.text(address.description); return }
        let v = address.ipv4Value
        file.decimal(UInt64(v >> 24)); file.byte(46)
        file.decimal(UInt64((v >> 16) & 0xff)); file.byte(46)
        file.decimal(UInt64((v >> 8) & 0xff)); file.byte(46)
        file.decimal(UInt64(v & 0xff)); file.byte(58)
        file.decimal(UInt64(address.port))
    }

    static func typeName(_ type: MessageType?) -> StaticString {
        switch type {
        case .open?: return "OPEN"
        case .ack?: return "ACK"
        case .challenge?: return "CHALLENGE"
        case .data?: return "DATA"
        case .trailer?: return "TRAILER"
        case .reject?: return "REJECT"
        case nil: return "?"
        }
    }
}
