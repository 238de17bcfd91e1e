import Testing
import NumbersCLI
import NumbersImpairment

/// The impairment model's errors become usage errors naming the flag, as configuration errors do.
@Suite struct ImpairmentUsageTests {
    @Test func usageMessageNamesTheFlag() {
        #expect(FlagSet.usageMessage(for: ImpairmentError.rateOutOfRange(setting: "dropRate", value: 1))
                == "invalid flag -dropRate: dropRate must be in [0, 1), got 1.0")
        #expect(FlagSet.usageMessage(for: ImpairmentError.burstParameterOutOfRange(.r, value: 0))
                == "invalid flag -burstLoss: burstLoss r (Bad→Good) must be in (0, 1], got 0.0")
        #expect(FlagSet.usageMessage(for: ImpairmentError.offlineWithoutFailures)
                == "invalid flag -goOfflineFor: goOfflineFor needs -failEvery")
    }
}
