/// Why parsing stopped. `helpRequested` is not a mistake, but it shares this path because it too
/// ends parsing early; `parseOrExit` turns it into usage on stdout and exit status 0.
package enum FlagError: Error, Equatable, Sendable, CustomStringConvertible {
    case helpRequested
    /// An argument that starts like a flag but cannot be one, such as `---x` or `-=1`.
    case badSyntax(argument: String)
    case unknownFlag(name: String)
    /// A non-bool flag was the last argument, with nothing left to be its value.
    case missingValue(flag: String)
    /// The text did not parse as the flag's kind, or the flag's validation rejected it.
    case invalidValue(flag: String, value: String, reason: String)
    /// A positional argument reached a `FlagSet` that does not accept them.
    case unexpectedArgument(String, hint: String?)
    /// A cross-flag rule broken after parsing (see `FlagSet.failUsage`).
    case usage(String)

    /// One line, without the program name or trailing newline.
    package var description: String {
        switch self {
        case .helpRequested:
            "help requested"
        case .badSyntax(let argument):
            "bad flag syntax: \(argument)"
        case .unknownFlag(let name):
            "unknown flag -\(name)"
        case .missingValue(let flag):
            "flag -\(flag) needs a value"
        case .invalidValue(let flag, let value, let reason):
            // debugDescription quotes and escapes, so empty or odd values stay visible.
            "invalid value \(value.debugDescription) for flag -\(flag): \(reason)"
        case .unexpectedArgument(let argument, let hint):
            "unexpected argument '\(argument)'" + (hint.map { " (\($0))" } ?? "")
        case .usage(let message):
            message
        }
    }
}
