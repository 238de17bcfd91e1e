/// A set of Go-style flags for one program: define flags, then `parseOrExit`, then read values.
///
///     let flags = FlagSet(program: "numbers-server", summary: "Serves numbers over UDP.")
///     let port = flags.uint32("port", default: 9000, usage: "UDP port to listen on",
///                             validate: { $0 <= 65535 ? nil : "must be at most 65535" })
///     flags.parseOrExit()
///     print(port.value)
///
/// Not `Sendable`: it is configured and parsed once at startup, on one thread.
package final class FlagSet {
    package let program: String
    package let summary: String
    /// When false (the default, since the executables take no operands), any argument left
    /// after the flags is an error rather than being returned.
    package let allowsPositionals: Bool

    var entries: [String: any FlagEntry] = [:]

    package init(program: String, summary: String, allowsPositionals: Bool = false) {
        self.program = program
        self.summary = summary
        self.allowsPositionals = allowsPositionals
    }

    /// Defines a flag of any `FlagValue` type; the typed methods below are shorthands.
    /// `validate` returns nil to accept, or a reason that becomes the error message.
    /// Defining a name twice, or a name no argument could spell, is a programming error and traps.
    package func flag<Value: FlagValue>(
        _ name: String, default defaultValue: Value, usage: String,
        validate: ((Value) -> String?)? = nil
    ) -> Flag<Value> {
        precondition(!name.isEmpty && !name.hasPrefix("-") && !name.contains("="),
                     "flag name \(name.debugDescription) cannot be written on a command line")
        precondition(entries[name] == nil, "flag -\(name) defined twice")
        let flag = Flag(name: name, defaultValue: defaultValue, usage: usage, validate: validate)
        entries[name] = flag
        return flag
    }

    /// Whether `-name` appeared on the command line. Asking about an undefined name traps, so a
    /// typo in a cross-flag check cannot silently read as "not set".
    package func isSet(_ name: String) -> Bool {
        guard let entry = entries[name] else { preconditionFailure("no flag -\(name) is defined") }
        return entry.isSet
    }
}
