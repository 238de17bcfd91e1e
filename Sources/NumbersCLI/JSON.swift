import NumbersReporting
/// A JSON value with ordered object keys, written by hand so the executables need no Foundation:
/// output keeps the same key order run after run, which keeps diffs between versions readable
/// and lets a reader see the schema's order.
package enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// For counters and sums that can exceed `Int.max` (a sum of 2³² numbers reaches 2⁶⁴).
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// A number rounded to `places` decimals (NaN and infinities become null, as JSON has neither).
    package static func number(_ value: Double, places: Int) -> JSON {
        guard value.isFinite else { return .null }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return .number((value * scale).rounded() / scale)
    }

    package static func optional(_ value: Double?, places: Int) -> JSON {
        value.map { number($0, places: places) } ?? .null
    }

    /// Pretty-printed with two-space indentation; arrays of scalars stay on one line.
    package func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent)
        let inner = String(repeating: " ", count: indent + 2)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .unsigned(let u): return String(u)
        case .number(let d): return JSON.format(d)
        case .string(let s): return JSON.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isScalar) { return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]" }
            return "[\n" + items.map { inner + $0.rendered(indent: indent + 2) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + JSON.quote($0.0) + ": " + $0.1.rendered(indent: indent + 2) }
                .joined(separator: ",\n") + "\n" + pad + "}"
        }
    }

    /// On one line, with no spaces: one JSON Lines record.
    package var compact: String {
        switch self {
        case .array(let items): return "[" + items.map(\.compact).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { JSON.quote($0.0) + ":" + $0.1.compact }.joined(separator: ",") + "}"
        default: return rendered()
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// Integral values print without a fraction; others in Swift's shortest round-trip form.
    package static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    package static func quote(_ s: String) -> String { JSONText.quoted(s) }
}
