import NumbersProtocol

/// The completion time of ideal selective repeat on the simulated path: the yardstick the loss
/// benchmark divides by.
///
/// The model: the handshake (OPEN, CHALLENGE, OPEN) costs 1.5 round trips before the first DATA
/// leaves the server, so round r of DATA arrives at (r + 1) · RTT. In each round the sender sends
/// every datagram still missing that lies inside the window, and new ones up to the window's
/// edge; each is lost with probability p, independently; feedback is perfect (never lost,
/// arriving exactly one round trip after the round left), and sending takes no time (the
/// simulated links have no bandwidth limit). Control datagrams are never lost. So
///
///     T = RTT · (1 + R),  R = the rounds until every datagram has arrived.
///
/// With the whole transfer inside the window (m ≤ w datagrams), R is the most attempts any of the
/// m datagrams needs, and E[R] = Σ_{k≥0} 1 − (1 − p^k)^m exactly (the expected maximum of m
/// geometric variables). With a smaller window the left edge holds back new datagrams until the
/// oldest missing one arrives, which has no closed form: E[R] is then the mean over `trials`
/// runs of this round model with a fixed seed, so the figure is the same on every run.
/// At p = 0 both give R = ceil(m / w), the lossless time.
package struct IdealSelectiveRepeat: Sendable {
    /// Numbers to transfer, numbers per DATA datagram, and the window in numbers.
    package var count: Int
    package var batch: Int
    package var window: Int
    package var trials: Int

    package init(count: Int, batch: Int, window: Int, trials: Int = 1_000) {
        precondition(count >= 1 && batch >= 1 && window >= batch && trials >= 1)
        self.count = count; self.batch = batch; self.window = window; self.trials = trials
    }

    /// m: DATA datagrams a lossless transfer needs.
    package var datagrams: Int { (count + batch - 1) / batch }
    /// w: datagrams the window lets the sender have outstanding beyond the left edge (the server
    /// fills the last one partly, so this rounds up: the ideal is never slower than the protocol
    /// could be).
    package var windowDatagrams: Int { (window + batch - 1) / batch }

    package func seconds(p: Double, roundTrip: Double) -> Double { roundTrip * (1 + meanRounds(p: p)) }

    package func meanRounds(p: Double) -> Double {
        precondition(p >= 0 && p < 1)
        if datagrams <= windowDatagrams { return Self.expectedMaximumAttempts(datagrams: datagrams, p: p) }
        if p == 0 { return Double((datagrams + windowDatagrams - 1) / windowDatagrams) }
        var rng = SplitMix64(seed: 0x1DEA_15E1_EC71_0E00 ^ UInt64(datagrams) ^ (UInt64(windowDatagrams) << 32))
        var total = 0
        var delivered = [Bool](repeating: false, count: datagrams)
        for _ in 0..<trials {
            for i in delivered.indices { delivered[i] = false }
            total += Self.rounds(delivered: &delivered, window: windowDatagrams, p: p, rng: &rng)
        }
        return Double(total) / Double(trials)
    }

    /// Σ_{k≥0} 1 − (1 − p^k)^m, summed until the terms vanish.
    package static func expectedMaximumAttempts(datagrams m: Int, p: Double) -> Double {
        var sum = 0.0
        var pk = 1.0
        for _ in 0..<100_000 {
            let term = 1 - power(1 - pk, m)
            sum += term
            if term < 1e-12 { break }
            pk *= p
        }
        return sum
    }

    /// x^n by repeated squaring (n ≥ 0), so the model needs no C math library.
    static func power(_ x: Double, _ n: Int) -> Double {
        var result = 1.0, base = x, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }

    /// One run of the round model: rounds until every datagram has arrived.
    static func rounds(delivered: inout [Bool], window: Int, p: Double, rng: inout SplitMix64) -> Int {
        var left = 0
        var rounds = 0
        while left < delivered.count {
            rounds += 1
            let end = min(left + window, delivered.count)
            for i in left..<end where !delivered[i] && rng.nextUnitDouble() >= p { delivered[i] = true }
            while left < delivered.count && delivered[left] { left += 1 }
        }
        return rounds
    }
}
