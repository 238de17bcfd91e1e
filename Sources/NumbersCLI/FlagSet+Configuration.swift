import NumbersImpairment
import NumbersProtocol

extension FlagSet {
    /// Runs a configuration's own validation and turns its error into a usage error (exit 2)
    /// naming the flag, so the executables never restate the core's bounds.
    package func validateOrExit(_ validate: () throws(ConfigurationError) -> Void) {
        do { try validate() } catch { failUsage(Self.usageMessage(for: error)) }
    }

    /// The usage message for a configuration error, e.g. `invalid flag -window: window must be …`.
    package static func usageMessage(for error: ConfigurationError) -> String {
        "invalid flag -\(error.setting): \(error)"
    }

    /// The same for the impairment model's settings.
    package func validateOrExit(_ validate: () throws(ImpairmentError) -> Void) {
        do { try validate() } catch { failUsage(Self.usageMessage(for: error)) }
    }

    /// E.g. `invalid flag -dropRate: dropRate must be in [0, 1), got 1.0`.
    package static func usageMessage(for error: ImpairmentError) -> String {
        "invalid flag -\(error.setting): \(error)"
    }
}
