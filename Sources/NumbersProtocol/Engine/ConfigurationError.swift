/// Why a `ServerConfig` or `ClientConfig` cannot be used. The bounds live here and in `Limits`
/// only: command-line tools map these errors to usage errors instead of repeating the checks.
public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `batch` outside 1...`Limits.maxNumbersPerDatagram`.
    case batchOutOfRange(Int)
    /// `window` outside `Limits.minWindow`...`Limits.maxWindow`.
    case windowOutOfRange(UInt32)
    /// The server's `window` is smaller than one batch, so no DATA could ever be sent.
    case windowBelowBatch(window: UInt32, batch: Int)
    /// A duration that must be positive is zero (`setting` names it, e.g. "sessionTTL").
    case notPositive(setting: String)
    /// `maxSessions` below 1.
    case maxSessionsBelowOne(Int)
    /// A client asking for zero numbers.
    case countZero

    /// The setting at fault, spelled as the configuration property (and the command-line flag).
    public var setting: String {
        switch self {
        case .batchOutOfRange: "batch"
        case .windowOutOfRange, .windowBelowBatch: "window"
        case .notPositive(let setting): setting
        case .maxSessionsBelowOne: "maxSessions"
        case .countZero: "n"
        }
    }

    public var description: String {
        switch self {
        case .batchOutOfRange(let batch): "batch must be between 1 and \(Limits.maxNumbersPerDatagram), got \(batch)"
        case .windowOutOfRange(let window): "window must be between \(Limits.minWindow) and \(Limits.maxWindow), got \(window)"
        case .windowBelowBatch(let window, let batch): "window must be at least the batch size (\(batch)), got \(window)"
        case .notPositive(let setting): "\(setting) must be positive"
        case .maxSessionsBelowOne(let value): "maxSessions must be at least 1, got \(value)"
        case .countZero: "n must be at least 1"
        }
    }
}
