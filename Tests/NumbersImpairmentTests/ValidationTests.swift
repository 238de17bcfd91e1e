import Testing
import NumbersImpairment
import NumbersProtocol

@Suite struct ValidationTests {
    static func error(_ config: ImpairmentConfig) -> ImpairmentError? {
        do { try config.validate(); return nil } catch { return error }
    }

    @Test func defaultIsValidAndTransparent() {
        #expect(Self.error(ImpairmentConfig()) == nil)
        #expect(ImpairmentConfig().isTransparent)
        #expect(Impairment(.none).isTransparent)
    }

    @Test(arguments: [
        (ImpairmentConfig(dropRate: 1), ImpairmentError.rateOutOfRange(setting: "dropRate", value: 1), "dropRate must be in [0, 1), got 1.0"),
        (ImpairmentConfig(dropRate: -0.1), .rateOutOfRange(setting: "dropRate", value: -0.1), "dropRate must be in [0, 1), got -0.1"),
        (ImpairmentConfig(duplicateRate: 1), .rateOutOfRange(setting: "duplicateRate", value: 1), "duplicateRate must be in [0, 1), got 1.0"),
        (ImpairmentConfig(reorderRate: 1.5), .rateOutOfRange(setting: "reorderRate", value: 1.5), "reorderRate must be in [0, 1), got 1.5"),
        (ImpairmentConfig(corruptRate: -1), .rateOutOfRange(setting: "corruptRate", value: -1), "corruptRate must be in [0, 1), got -1.0"),
        (ImpairmentConfig(goOfflineFor: .seconds(1 as UInt64)), .offlineWithoutFailures, "goOfflineFor needs -failEvery"),
        (ImpairmentConfig(delay: .seconds(3_601 as UInt64)), .delayTooLong(setting: "delay", value: .seconds(3_601 as UInt64)), "delay must be at most 1h0m0s, got 1h0m1s"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0, r: 0.5)), .burstParameterOutOfRange(.p, value: 0), "burstLoss p (Good→Bad) must be in (0, 1], got 0.0"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0)), .burstParameterOutOfRange(.r, value: 0), "burstLoss r (Bad→Good) must be in (0, 1], got 0.0"),
        (ImpairmentConfig(burst: GilbertElliott(p: 1.2, r: 0.5)), .burstParameterOutOfRange(.p, value: 1.2), "burstLoss p (Good→Bad) must be in (0, 1], got 1.2"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0.5, lossInBad: 1.1)), .burstParameterOutOfRange(.lossInBad, value: 1.1), "burstLoss 1-h (loss in Bad) must be in [0, 1], got 1.1"),
        (ImpairmentConfig(burst: GilbertElliott(p: 0.1, r: 0.5, lossInGood: -0.5)), .burstParameterOutOfRange(.lossInGood, value: -0.5), "burstLoss 1-k (loss in Good) must be in [0, 1], got -0.5"),
        (ImpairmentConfig(heldLimit: 0), .heldLimitBelowOne(0), "held-datagram limit must be at least 1, got 0"),
        (ImpairmentConfig(bottleneck: BottleneckLink(bitsPerSecond: 10, queueLimit: 1_000)), .bottleneckRateOutOfRange(10), "bottleneck rate must be between 1 kbit/s and 100 Gbit/s, got 10 bit/s"),
        (ImpairmentConfig(bottleneck: BottleneckLink(bitsPerSecond: 10_000_000, queueLimit: 0)), .bottleneckQueueOutOfRange(0), "bottleneck queue must be between 1 byte and 1 GB, got 0"),
        (ImpairmentConfig(bottleneck: BottleneckLink(bitsPerSecond: 10_000_000, queueLimit: 1_000, propagation: .seconds(3_601 as UInt64))),
         .bottleneckPropagationTooLong(.seconds(3_601 as UInt64)), "bottleneck propagation delay must be at most 1h0m0s, got 1h0m1s"),
        (ImpairmentConfig(bottleneck: BottleneckLink(bitsPerSecond: 10_000_000, queueLimit: 1_000, overhead: -1)), .bottleneckOverheadOutOfRange(-1), "bottleneck overhead must be between 0 and 1000 bytes, got -1"),
    ])
    func rejects(config: ImpairmentConfig, error: ImpairmentError, message: String) {
        #expect(Self.error(config) == error)
        #expect(error.description == message)
    }

    @Test func nanIsNoProbability() {
        guard case .rateOutOfRange("dropRate", let value)? = Self.error(ImpairmentConfig(dropRate: .nan)) else {
            Issue.record("NaN accepted as a drop rate"); return
        }
        #expect(value.isNaN)
    }

    @Test func errorsNameTheirFlag() {
        #expect(ImpairmentError.rateOutOfRange(setting: "reorderRate", value: 2).setting == "reorderRate")
        #expect(ImpairmentError.burstParameterOutOfRange(.r, value: 0).setting == "burstLoss")
        #expect(ImpairmentError.offlineWithoutFailures.setting == "goOfflineFor")
        #expect(ImpairmentError.delayTooLong(setting: "jitter", value: .zero).setting == "jitter")
        #expect(ImpairmentError.bottleneckQueueOutOfRange(0).setting == "bottleneck")
    }

    @Test func jitterBoundMessage() {
        let error = Self.error(ImpairmentConfig(jitter: .seconds(7_200 as UInt64)))
        #expect(error == .delayTooLong(setting: "jitter", value: .seconds(7_200 as UInt64)))
        #expect(error?.description.hasPrefix("jitter must be at most") == true)
    }

    @Test func acceptsEdges() {
        let edges = ImpairmentConfig(dropRate: 0.999, burst: GilbertElliott(p: 1, r: 1, lossInBad: 0, lossInGood: 1),
                                     duplicateRate: 0, reorderRate: 0.5, corruptRate: 0.5,
                                     delay: ImpairmentConfig.maxDelay, jitter: ImpairmentConfig.maxDelay,
                                     failEvery: 1, goOfflineFor: .seconds(1 as UInt64), heldLimit: 1)
        #expect(Self.error(edges) == nil)
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
