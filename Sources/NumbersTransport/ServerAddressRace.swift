import Glibc
import NumbersProtocol

/// Finds which of the addresses a server's name resolves to answers, before the transfer starts:
/// `localhost` names both `127.0.0.1` and `::1`, and a server listens on one of them.
///
/// Every candidate is sent an OPEN without a token, in the resolver's order, the next one
/// `attemptDelay` after the previous (as Happy Eyeballs, RFC 8305, staggers connection attempts),
/// each repeated every `retryInterval`. Such an OPEN is answered statelessly (a CHALLENGE, or a
/// REJECT), so the race costs the server nothing. The first candidate to answer wins, with the
/// socket it answered on; the client engine then starts there and is challenged again.
///
/// The simulator does not act on these datagrams: it starts with the transfer.
package enum ServerAddressRace {
    /// Between the first attempts of consecutive candidates.
    package static let attemptDelay = Nanoseconds.milliseconds(250)
    /// Between attempts at the same candidate.
    package static let retryInterval = Nanoseconds.seconds(1 as UInt64)

    package struct Winner {
        package let address: PeerAddress
        /// Bound to the wildcard address of the winner's family, on an ephemeral port.
        package let socket: UDPSocket
    }

    package enum Outcome {
        case answered(Winner)
        /// No candidate answered within the time allowed.
        case silent
        /// `shouldStop` said so.
        case stopped
    }

    /// Races `candidates` (in order, at most `maxCandidates` of them) for up to `giveUpAfter`.
    /// `count` and `window` go into the OPEN as the transfer's own would carry them.
    package static func run(candidates: [PeerAddress], clientID: ClientID, count: UInt32, window: UInt32,
                           giveUpAfter: Nanoseconds, wakeup: Wakeup?, shouldStop: () -> Bool) throws(SocketError) -> Outcome {
        let candidates = Array(candidates.prefix(maxCandidates))
        var sockets: [PeerAddress.Family: UDPSocket] = [:]
        for candidate in candidates where sockets[candidate.family] == nil {
            sockets[candidate.family] = try UDPSocket(host: candidate.family == .ipv4 ? "0.0.0.0" : "::", port: 0,
                                                      bufferBytes: 1 << 16)
        }
        var random = SystemRandomNumberGenerator()
        let tag = UInt32.random(in: 0...UInt32.max, using: &random)
        let open = OpenMessage(tag: tag, clientID: clientID, count: count, resumeFrom: 0, window: window, token: 0, ackSeq: 1)
        let datagram = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.maxDatagramSize, alignment: 8)
        defer { datagram.deallocate() }
        let length = WireEncoder.encode(open, into: datagram)
        let batch = ReceiveBatch(capacity: 8)

        let start = MonotonicClock.now()
        var nextAttempt = candidates.indices.map { start + attemptDelay * UInt64($0) }
        let order = Array(sockets.keys)
        while !shouldStop() {
            let now = MonotonicClock.now()
            if now - start >= giveUpAfter { return .silent }
            for (i, candidate) in candidates.enumerated() where nextAttempt[i] <= now {
                _ = try sockets[candidate.family]!.send(UnsafeRawBufferPointer(rebasing: datagram[0..<length]), to: candidate)
                nextAttempt[i] = now + retryInterval
            }
            for family in order {
                let socket = sockets[family]!
                while true {
                    let received = try socket.receive(into: batch)
                    for k in 0..<received where batch.isAcceptable(at: k) {
                        let source = batch.source(at: k)
                        if candidates.contains(source), answers(batch.bytes(at: k), tag: tag) {
                            return .answered(Winner(address: source, socket: socket))
                        }
                    }
                    if received < batch.capacity { break }
                }
            }
            let deadline = min(nextAttempt.min() ?? .never, start + giveUpAfter)
            wait(on: order.map { sockets[$0]!.descriptor }, wakeup: wakeup, timeout: deadline - MonotonicClock.now())
        }
        return .stopped
    }

    /// The most addresses raced; a name with more is tried on its first ones only.
    package static let maxCandidates = 8

    /// A well-formed server datagram carrying the race's tag.
    static func answers(_ bytes: UnsafeRawBufferPointer, tag: UInt32) -> Bool {
        guard case .success(let message) = WireDecoder.decode(bytes) else { return false }
        switch message {
        case .challenge(let m): return m.tag == tag
        case .reject(let m): return m.tag == tag
        case .data(let m): return m.tag == tag
        case .trailer(let m): return m.tag == tag
        case .open, .ack: return false
        }
    }

    private static func wait(on descriptors: [Int32], wakeup: Wakeup?, timeout: Nanoseconds) {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        if let wakeup { entries.append(pollfd(fd: wakeup.descriptor, events: Int16(POLLIN), revents: 0)) }
        _ = entries.withUnsafeMutableBufferPointer { Poller.wait($0, timeout: timeout) }
        if let wakeup, entries.last!.revents != 0 { wakeup.drain() }
    }
}
