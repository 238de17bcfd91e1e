/// A type a flag can hold. Public so an executable can add its own kinds (an enum of modes, say)
/// without changing this module.
package protocol FlagValue {
    /// Shown after the flag name in help, as Go does (`-port uint32`). Empty for bools, which
    /// take no separate argument.
    static var flagKind: String { get }

    /// True only for bools: a bare `-v` means true and never consumes the next argument.
    static var isBoolFlag: Bool { get }

    /// Parses one argument's text. The error's reason completes the sentence
    /// `invalid value "x" for flag -name: <reason>`.
    static func parseFlag(_ text: String) throws(InvalidFlagValue) -> Self

    /// The default as shown in help, or nil to show none (Go hides `false` and `""`, which read
    /// as "off" without being spelled out).
    var flagDefaultText: String? { get }
}

extension FlagValue {
    package static var isBoolFlag: Bool { false }
}

/// The reason a text is not a valid value of some kind.
package struct InvalidFlagValue: Error, Equatable, Sendable {
    package var reason: String
    package init(_ reason: String) { self.reason = reason }
}
