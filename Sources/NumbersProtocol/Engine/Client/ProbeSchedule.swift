/// How long the client lets silence last before it asks again: an OPEN while connecting, a probe
/// (an ACK with the PROBE flag) while streaming. Backoff starts only after as many unanswered
/// attempts as the measured loss makes likely, so heavy loss is not mistaken for an outage.
struct ProbeSchedule {
    /// Unanswered attempts since the server was last heard.
    private(set) var attempts: UInt32 = 0
    static let maxAttempts: UInt32 = 32

    mutating func unanswered() { attempts = min(attempts + 1, Self.maxAttempts) }
    mutating func answered() { attempts = 0 }

    /// - Parameters:
    ///   - streaming: the first DATA or TRAILER has arrived.
    ///   - requestTimeout: the round-trip estimate's timeout, once a round trip was measured.
    ///   - arrivalGap: the smallest recent gap between two new DATA, once measured.
    ///   - patience: unanswered attempts before the wait starts doubling.
    func timeout(streaming: Bool, requestTimeout: Nanoseconds?, arrivalGap: Nanoseconds?, patience: UInt32,
                 config: ClientConfig) -> Nanoseconds {
        var base: Nanoseconds
        var cap = config.maxBackoff
        var patience = patience
        switch (streaming, requestTimeout, arrivalGap) {
        case (false, nil, _):
            // Nothing heard yet: the server may be slow to start or absent.
            // The first two retries keep the initial wait: under heavy loss an OPEN and its
            // CHALLENGE are often lost, which is not yet a sign that nobody is listening.
            base = config.initialTimeout
            patience = 2
        case (false, let rto?, _):
            // A CHALLENGE answered: the server replies at once, so a lost OPEN costs one round trip.
            base = max(config.minProbeTimeout, rto)
        case (true, let rto?, let gap?):
            // Silence is judged against both the round trip and the server's pace, so that a slow
            // -interval is not mistaken for loss.
            base = max(config.minProbeTimeout, rto + gap * 4)
            cap = max(cap, gap * 3)
        case (true, let rto, _):
            // The pace is unknown until two new DATA arrive back to back: wait long enough that
            // the default 1 s interval is not mistaken for loss.
            base = max(config.unknownPaceTimeout, (rto ?? .zero) * 3)
        }
        let doublings = UInt64(min(attempts > patience ? attempts - patience : 0, 16))
        return min(base * (1 << doublings), max(cap, base))
    }
}
