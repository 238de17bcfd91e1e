import NumbersImpairment
import NumbersProtocol

/// The loss and outage simulator's flags, the same on the server and the client, turned into one
/// `ImpairmentConfig`. Registered on a `FlagSet` before parsing; `config()` after.
package struct ImpairmentFlags {
    let dropRate: Flag<Double>
    let burstLoss: Flag<String>
    let duplicateRate: Flag<Double>
    let reorderRate: Flag<Double>
    let corruptRate: Flag<Double>
    let delay: Flag<FlagDuration>
    let jitter: Flag<FlagDuration>
    let failEvery: Flag<UInt64>
    let goOfflineFor: Flag<FlagDuration>
    let lossSeed: Flag<UInt64>
    let flags: FlagSet

    package init(registeringOn flags: FlagSet) {
        self.flags = flags
        dropRate = flags.double("dropRate", default: 0, usage: "simulator: lose each sent datagram with this probability")
        burstLoss = flags.string("burstLoss", usage: "simulator: bursty loss by a Gilbert–Elliott model, `p,r[,1-h[,1-k]]` as in netem's `loss gemodel`: p = P(good→bad), r = P(bad→good) per datagram, 1-h = loss in bad (default 1), 1-k = loss in good (default 0); mean burst 1/r datagrams",
                                 validate: { ImpairmentFlags.parseBurst($0).error })
        duplicateRate = flags.double("duplicateRate", default: 0, usage: "simulator: send a second copy of a datagram with this probability")
        reorderRate = flags.double("reorderRate", default: 0, usage: "simulator: hold a datagram back and send it after later ones with this probability")
        corruptRate = flags.double("corruptRate", default: 0, usage: "simulator: flip 1–3 random bits of a datagram with this probability (the receiver's CRC-32C rejects it)")
        delay = flags.duration("delay", default: .zero, usage: "simulator: delay every sent datagram by this much")
        jitter = flags.duration("jitter", default: .zero, usage: "simulator: add a uniform random ±jitter to the delay")
        failEvery = flags.uint64("failEvery", default: 0, usage: "simulator: every Nth datagram this side sends fails (is not sent); 0 = never")
        goOfflineFor = flags.duration("goOfflineFor", default: .zero, usage: "simulator: with -failEvery, each failure takes this side offline for this long: it sends nothing and ignores what arrives")
        lossSeed = flags.uint64("lossSeed", default: 0, usage: "simulator: seed of its random source, to repeat a run exactly (default: a random seed, printed at start)")
    }

    /// The parsed config; exits with status 2 on a value out of range or a bad combination (the
    /// bounds are `ImpairmentConfig.validate()`'s).
    package func config() -> ImpairmentConfig {
        var seed = lossSeed.value
        if !flags.isSet("lossSeed") { seed = UInt64.random(in: 1...UInt64.max) }
        let config = ImpairmentConfig(
            dropRate: dropRate.value, burst: ImpairmentFlags.parseBurst(burstLoss.value).model,
            duplicateRate: duplicateRate.value, reorderRate: reorderRate.value, corruptRate: corruptRate.value,
            delay: Nanoseconds(delay.value.nanoseconds), jitter: Nanoseconds(jitter.value.nanoseconds),
            failEvery: failEvery.value, goOfflineFor: Nanoseconds(goOfflineFor.value.nanoseconds), seed: seed)
        flags.validateOrExit { () throws(ImpairmentError) in try config.validate() }
        return config
    }

    static func parseBurst(_ text: String) -> (model: GilbertElliott?, error: String?) {
        if text.isEmpty { return (nil, nil) }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: " ")) }
        guard (2...4).contains(parts.count), parts.allSatisfy({ $0 != nil }) else {
            return (nil, "expected p,r[,1-h[,1-k]] with 2 to 4 numbers")
        }
        let v = parts.map { $0! }
        let model = GilbertElliott(p: v[0], r: v[1], lossInBad: v.count > 2 ? v[2] : 1, lossInGood: v.count > 3 ? v[3] : 0)
        do throws(ImpairmentError) { try model.validate() } catch { return (nil, error.description) }
        return (model, nil)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
