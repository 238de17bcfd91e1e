extension FlagSet {
    /// The `-h` text: the program's summary, a usage line, then every flag sorted by name in
    /// Go's layout (name and kind, then the usage indented below with the default appended).
    package var usageText: String {
        var text = ""
        if !summary.isEmpty { text += summary + "\n\n" }
        text += "Usage: \(program) [flags]" + (allowsPositionals ? " [arguments]" : "") + "\n"
        guard !entries.isEmpty else { return text }
        text += "\nFlags:\n"
        for entry in entries.values.sorted(by: { $0.name < $1.name }) {
            text += Self.describe(entry)
        }
        return text
    }

    private static let usageIndent = "      "

    private static func describe(_ entry: any FlagEntry) -> String {
        let (kind, usage) = unquoteKind(entry.usage, defaultKind: entry.kind)
        var text = "  -\(entry.name)" + (kind.isEmpty ? "" : " \(kind)") + "\n"
        var body = usage
        // A usage text that explains its own default (e.g. "default: random") is not contradicted.
        if let defaultText = entry.defaultText, !usage.contains("(default") {
            body += (body.isEmpty ? "" : " ") + "(default \(defaultText))"
        }
        guard !body.isEmpty else { return text }
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            text += usageIndent + line + "\n"
        }
        return text
    }

    /// Go's convention: the first `back-quoted` word in a usage string names the value in help
    /// (`"connect to `addr`"` shows `-server addr`), and is printed without the quotes.
    static func unquoteKind(_ usage: String, defaultKind: String) -> (kind: String, usage: String) {
        guard let open = usage.firstIndex(of: "`"),
              let close = usage[usage.index(after: open)...].firstIndex(of: "`")
        else { return (defaultKind, usage) }
        let word = String(usage[usage.index(after: open)..<close])
        let plain = String(usage[..<open]) + word + String(usage[usage.index(after: close)...])
        return (word, plain)
    }
}
