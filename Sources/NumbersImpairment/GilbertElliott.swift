/// Burst loss parameters of a Gilbert–Elliott two-state Markov chain, with the meaning of netem's
/// `loss gemodel p r 1-h 1-k`.
///
/// The chain moves once per datagram; a datagram is lost with the loss probability of the state it
/// meets. With the defaults (lose everything in Bad, nothing in Good) the loss bursts are exactly
/// the stays in Bad, whose length is geometric with mean `1/r` datagrams.
package struct GilbertElliott: Sendable, Equatable, CustomStringConvertible {
    /// Probability of moving Good → Bad at each datagram. In (0, 1].
    package var p: Double
    /// Probability of moving Bad → Good at each datagram. In (0, 1].
    package var r: Double
    /// Loss probability in Bad, netem's `1-h` (h is the delivery probability in Bad). In [0, 1].
    package var lossInBad: Double
    /// Loss probability in Good, netem's `1-k`. In [0, 1].
    package var lossInGood: Double

    package init(p: Double, r: Double, lossInBad: Double = 1, lossInGood: Double = 0) {
        self.p = p; self.r = r; self.lossInBad = lossInBad; self.lossInGood = lossInGood
    }

    /// Long-run fraction of datagrams that meet the chain in Bad: p / (p + r).
    package var stationaryBadProbability: Double { p / (p + r) }

    /// Long-run loss rate: π_Bad·(1-h) + π_Good·(1-k).
    package var stationaryLossRate: Double {
        let bad = stationaryBadProbability
        return bad * lossInBad + (1 - bad) * lossInGood
    }

    /// Mean stay in Bad, in datagrams: 1/r (the mean loss-burst length when 1-h = 1 and 1-k = 0).
    package var meanBadLength: Double { 1 / r }

    /// Mean stay in Good, in datagrams: 1/p.
    package var meanGoodLength: Double { 1 / p }

    /// - Throws: the first parameter out of its range.
    package func validate() throws(ImpairmentError) {
        // Written as negated ranges so that NaN fails every check.
        if !(p > 0 && p <= 1) { throw .burstParameterOutOfRange(.p, value: p) }
        if !(r > 0 && r <= 1) { throw .burstParameterOutOfRange(.r, value: r) }
        if !(lossInBad >= 0 && lossInBad <= 1) { throw .burstParameterOutOfRange(.lossInBad, value: lossInBad) }
        if !(lossInGood >= 0 && lossInGood <= 1) { throw .burstParameterOutOfRange(.lossInGood, value: lossInGood) }
    }

    /// netem's spelling, e.g. `gemodel p 0.01 r 0.25 1-h 1.0 1-k 0.0`.
    package var description: String { "gemodel p \(p) r \(r) 1-h \(lossInBad) 1-k \(lossInGood)" }
}
