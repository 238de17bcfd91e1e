import NumbersProtocol

/// The running state of a Gilbert–Elliott chain. Starts in Good, as netem does.
struct GilbertElliottChain: Sendable {
    let model: GilbertElliott
    private(set) var isBad = false

    init(_ model: GilbertElliott) { self.model = model }

    /// Decides the fate of one datagram in the current state, then takes one step of the chain.
    /// Unlike netem, the loss and the transition use separate draws, so that they are independent
    /// and the textbook formulas (burst mean 1/r, stationary loss) hold exactly.
    mutating func loses(using rng: inout SplitMix64) -> Bool {
        let lost = rng.chance(isBad ? model.lossInBad : model.lossInGood)
        if isBad {
            if rng.chance(model.r) { isBad = false }
        } else if rng.chance(model.p) {
            isBad = true
        }
        return lost
    }
}
