/// Why a datagram was dropped. Every case is counted; none changes any state.
public enum DecodeError: Error, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Shorter than the smallest datagram, or longer than `Limits.maxDatagramSize`.
    case badSize
    /// The trailing CRC-32C does not match: corrupted in flight.
    case badChecksum
    case badVersion
    case unknownType
    /// The length does not agree with the type and its counts.
    case badLength
    /// A field holds an impossible value (empty or unordered ranges, a count out of bounds, …).
    case badField

    /// The case's name, a stable key for JSON reports and traces (where `description` is prose).
    public var key: StaticString {
        switch self {
        case .badSize: "badSize"
        case .badChecksum: "badChecksum"
        case .badVersion: "badVersion"
        case .unknownType: "unknownType"
        case .badLength: "badLength"
        case .badField: "badField"
        }
    }

    public var description: String {
        switch self {
        case .badSize: return "bad size"
        case .badChecksum: return "bad checksum"
        case .badVersion: return "bad version"
        case .unknownType: return "unknown type"
        case .badLength: return "length disagrees with contents"
        case .badField: return "impossible field value"
        }
    }
}
