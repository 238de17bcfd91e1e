/// When the client acknowledges: the one place that decides "send an ACK now" and "send one by
/// this deadline". Reasons to send at once are events the server must learn of within a round
/// trip to keep recovery at full rate; the deadlines batch acknowledgements of a flowing stream.
struct AckSchedule {
    enum Urgent {
        /// A DATA arrived beyond a gap: ask for the gap now.
        case gapOpened
        /// A retransmission arrived while more is missing: the server's queue has room again.
        case queueHasRoom
        /// The server says it has sent all it was asked for, and something is still missing.
        case requestsServed
        /// A TRAILER arrived and numbers are still missing (the tail is a gap).
        case tailMissing
        /// A quarter of the window has arrived since the last ACK: the server may be about to
        /// stall on its window.
        case windowQuarter
        /// `datagramsPerAck` DATA have arrived since the last ACK: the sender's congestion
        /// controller measures the delivery rate from ACKs, and needs them at least this often.
        case datagramCount
        /// One of the first DATA of the transfer: the server's controller is starting up.
        case quickStart
        /// The previous ACK was full: more is missing than one ACK can ask for.
        case fullAck
        /// A CHALLENGE gave a token the server wants to see.
        case token
    }

    private(set) var urgent = false
    /// At most this long after the first unacknowledged arrival.
    private var delayedUntil: Instant = .never
    /// This long after the latest arrival: the stream paused, which is what a server blocked on
    /// its window (or a stream that ended) looks like.
    private var quietUntil: Instant = .never
    private var numbersSinceAck: UInt32 = 0
    private var datagramsSinceAck: UInt32 = 0
    /// At full speed an ACK every 16 DATA: often enough for the server's controller to see the
    /// delivery rate within a fraction of a round trip, rare enough to cost the server little.
    static let datagramsPerAck: UInt32 = 16
    /// The first of a transfer's first `quickAckDatagrams` DATA is acknowledged alone, the rest
    /// every `quickAckEvery`: the server's controller starts at 12 Mbit/s and grows once a round,
    /// and its rounds end only when an ACK arrives, so at one ACK per 16 DATA (or per 2 ms delay)
    /// a 65,535-number transfer on loopback took 8.1 ms, 4.5 ms in pairs, about 2.4 ms with the
    /// first alone (its first round then ends a round trip after the first DATA, not when a second
    /// follows it 0.8 ms later). Up to eight ACKs more per transfer, and only while the pace is
    /// unknown or under `ClientConfig.ackDelay` (a paced stream has no controller, and pays one
    /// ACK: its first DATA, when no pace is known yet). Not more: ACKing the first 32 or 64 this
    /// way sped start-up further, but ten simulated clients starting at once on a 10 ms path then
    /// overshot together (0.70 of the link, not 0.78).
    static let quickAckDatagrams: UInt32 = 16
    static let quickAckEvery: UInt32 = 2
    /// DATA that stored something in this transfer, up to `quickAckDatagrams`.
    private var datagramsInTransfer: UInt32 = 0
    /// Full ACKs sent back to back.
    private(set) var burst = 0

    mutating func send(_ reason: Urgent) {
        if case .fullAck = reason { burst += 1 }
        urgent = true
    }

    /// New numbers arrived. `pace` is the server's undisturbed arrival gap, when known.
    mutating func received(numbers: UInt32, now: Instant, pace: Nanoseconds?, window: UInt32, config: ClientConfig) {
        numbersSinceAck &+= numbers
        datagramsSinceAck &+= 1
        if numbersSinceAck >= max(window / 4, 1) { send(.windowQuarter) }
        if datagramsSinceAck >= Self.datagramsPerAck { send(.datagramCount) }
        // Only a stream at full speed has a controller starting up; a paced one (the station's
        // 1 s, its pace known from the second DATA) keeps its batched ACKs after the first.
        if datagramsInTransfer < Self.quickAckDatagrams {
            datagramsInTransfer += 1
            // The very first at once: it ends the controller's first round, which otherwise waits
            // for a second DATA paced 0.8 ms behind it, or for the quiet timer.
            let due = datagramsInTransfer == 1 || datagramsSinceAck >= Self.quickAckEvery
            if due, (pace ?? .zero) < config.ackDelay { send(.quickStart) }
        }
        let gap = pace ?? .zero
        // A paced stream is acknowledged every few datagrams rather than after each one: at the
        // station's 1 s pace that is one ACK every 4 s, well inside any session TTL, which halves
        // what a server with many clients must receive.
        if delayedUntil == .never { delayedUntil = now + max(config.ackDelay, min(gap * 4, config.maxAckDelay)) }
        quietUntil = now + max(config.ackQuiet, min(gap * 2, config.maxAckDelay))
    }

    var deadline: Instant { urgent ? .zero : min(delayedUntil, quietUntil) }

    func isDue(at now: Instant) -> Bool { urgent || now >= min(delayedUntil, quietUntil) }

    /// An ACK left; `full` when it asked for as many ranges as one ACK holds.
    mutating func sent(full: Bool) {
        urgent = false
        delayedUntil = .never
        quietUntil = .never
        numbersSinceAck = 0
        datagramsSinceAck = 0
        if full && burst + 1 < Limits.maxAckBurst { send(.fullAck) } else { burst = 0 }
    }

    /// The transfer ended: nothing more is owed.
    mutating func cancel() {
        urgent = false; delayedUntil = .never; quietUntil = .never; burst = 0
    }
}
