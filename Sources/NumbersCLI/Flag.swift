/// The handle `FlagSet` returns for one flag: read `value` after parsing.
///
/// A class so the set can write into it while the caller keeps the same handle. Not `Sendable`:
/// it is mutated during parsing, so copy `value` out (into a Sendable config) before handing it to
/// other tasks.
package final class Flag<Value: FlagValue> {
    package let name: String
    package let usage: String
    package let defaultValue: Value
    /// The default until parsing sets it; afterwards the last occurrence wins, as in Go.
    package internal(set) var value: Value
    /// Whether the flag appeared on the command line, even if with its default value. Needed
    /// for cross-flag rules such as "-goOfflineFor requires -failEvery".
    package internal(set) var isSet = false

    let validate: ((Value) -> String?)?

    init(name: String, defaultValue: Value, usage: String, validate: ((Value) -> String?)?) {
        self.name = name
        self.usage = usage
        self.defaultValue = defaultValue
        self.value = defaultValue
        self.validate = validate
    }
}

/// What `FlagSet` needs from a flag without knowing its value type.
protocol FlagEntry: AnyObject {
    var name: String { get }
    var usage: String { get }
    var kind: String { get }
    var takesNoArgument: Bool { get }
    var defaultText: String? { get }
    var isSet: Bool { get }
    func assign(_ text: String) throws(FlagError)
}

extension Flag: FlagEntry {
    var kind: String { Value.flagKind }
    var takesNoArgument: Bool { Value.isBoolFlag }
    var defaultText: String? { defaultValue.flagDefaultText }

    /// Parses, then validates: the closure only ever sees well-formed values, and both failures
    /// are reported in the same `invalid value ... for flag -name: reason` shape.
    func assign(_ text: String) throws(FlagError) {
        let parsed: Value
        do {
            parsed = try Value.parseFlag(text)
        } catch {
            throw .invalidValue(flag: name, value: text, reason: error.reason)
        }
        if let problem = validate?(parsed) {
            throw .invalidValue(flag: name, value: text, reason: problem)
        }
        value = parsed
        isSet = true
    }
}
