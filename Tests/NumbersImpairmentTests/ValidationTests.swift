import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct ValidationTests {
    @Test func defaultIsValidAndTransparent() {
        #expect(ImpairmentConfig().validate() == nil)
        #expect(ImpairmentConfig().isTransparent)
        #expect(Impairment(.none).isTransparent)
    }

    @Test(arguments: [
        (ImpairmentConfig(dropRate: 1), "-dropRate must be in [0, 1), got 1.0"),
        (ImpairmentConfig(dropRate: -0.1), "-dropRate must be in [0, 1), got -0.1"),
        (ImpairmentConfig(dropRate: .nan), "-dropRate must be in [0, 1), got nan"),
        (ImpairmentConfig(duplicateRate: 1), "-duplicateRate must be in [0, 1), got 1.0"),
        (ImpairmentConfig(reorderRate: 1.5), "-reorderRate must be in [0, 1), got 1.5"),
        (ImpairmentConfig(corruptRate: -1), "-corruptRate must be in [0, 1), got -1.0"),
        (ImpairmentConfig(goOfflineFor: .seconds(1 as UInt64)), "-goOfflineFor needs -failEvery"),
        (ImpairmentConfig(delay: .seconds(3_601 as UInt64)), "-delay must be at most 1h0m0s, got 1h0m1s"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0, r: 0.5)), "-burst p (Good→Bad) must be in (0, 1], got 0.0"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0)), "-burst r (Bad→Good) must be in (0, 1], got 0.0"),
        (ImpairmentConfig(burst: GilbertElliott(p: 1.2, r: 0.5)), "-burst p (Good→Bad) must be in (0, 1], got 1.2"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0.5, lossInBad: 1.1)), "-burst 1-h (loss in Bad) must be in [0, 1], got 1.1"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0.5, lossInGood: -0.5)), "-burst 1-k (loss in Good) must be in [0, 1], got -0.5"),
        (ImpairmentConfig(heldLimit: 0), "held-datagram limit must be at least 1, got 0"),
    ])
    func rejects(config: ImpairmentConfig, message: String) {
        #expect(config.validate() == message)
    }

    @Test func jitterBoundMessage() {
        let message = ImpairmentConfig(jitter: .seconds(7_200 as UInt64)).validate()
        #expect(message?.hasPrefix("-jitter must be at most") == true)
    }

    @Test func acceptsEdges() {
        let edges = ImpairmentConfig(dropRate: 0.999, burst: GilbertElliott(p: 1, r: 1, lossInBad: 0, lossInGood: 1),
                                     duplicateRate: 0, reorderRate: 0.5, corruptRate: 0.5,
                                     delay: ImpairmentConfig.maxDelay, jitter: ImpairmentConfig.maxDelay,
                                     failEvery: 1, goOfflineFor: .seconds(1 as UInt64), heldLimit: 1)
        #expect(edges.validate() == nil)
    }

    @Test func everyStageBreaksTransparency() {
        let active: [ImpairmentConfig] = [
            .init(dropRate: 0.1), .init(burst: GilbertElliott(p: 0.1, r: 0.5)), .init(duplicateRate: 0.1),
            .init(reorderRate: 0.1), .init(corruptRate: 0.1), .init(delay: .milliseconds(1)),
            .init(jitter: .milliseconds(1)), .init(failEvery: 3),
        ]
        for config in active { #expect(!config.isTransparent, "\(config)") }
        // A burst chain that never loses changes nothing.
        #expect(ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0.5, lossInBad: 0)).isTransparent)
    }
}
