extension FlagSet {
    /// Parses `arguments` (without the program name) the way Go's `flag` package does:
    /// `-name value`, `-name=value`, and the same with `--`; bools as `-v` or `-v=false`.
    /// Flags end at `--` or at the first argument that is not a flag; what follows is returned,
    /// or rejected when `allowsPositionals` is false.
    /// `-h`, `-help` and `--help` throw `.helpRequested` unless the program defines those names.
    @discardableResult
    package func parse(_ arguments: [String]) throws(FlagError) -> [String] {
        var index = arguments.startIndex
        // The bare bool flag just before the first positional, for the `-v false` hint.
        var previousBareBool: String?
        while index < arguments.endIndex {
            let argument = arguments[index]
            // "-" alone is an operand by convention (stdin), as in Go.
            guard argument.hasPrefix("-"), argument.utf8.count >= 2 else { break }
            index += 1
            if argument == "--" {
                previousBareBool = nil
                break
            }

            let body = argument.dropFirst(argument.hasPrefix("--") ? 2 : 1)
            guard let first = body.first, first != "-", first != "=" else {
                throw .badSyntax(argument: argument)
            }
            let name: String
            let inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
                inlineValue = nil
            }

            guard let entry = entries[name] else {
                if name == "h" || name == "help" { throw .helpRequested }
                throw .unknownFlag(name: name)
            }

            previousBareBool = nil
            let text: String
            if let inlineValue {
                text = inlineValue
            } else if entry.takesNoArgument {
                text = "true"
                previousBareBool = name
            } else if index < arguments.endIndex {
                // Taken even if it starts with "-", as Go does, so `-offset -5` works.
                text = arguments[index]
                index += 1
            } else {
                throw .missingValue(flag: name)
            }
            try entry.assign(text)
        }

        let rest = Array(arguments[index...])
        if !allowsPositionals, let stray = rest.first {
            throw .unexpectedArgument(stray, hint: Self.hint(for: stray, after: previousBareBool))
        }
        return rest
    }

    /// `-v false` is the classic Go-flag trap: the bool takes no separate value, so "false"
    /// becomes an operand. Say how to write it instead of only calling it unexpected.
    private static func hint(for stray: String, after boolFlag: String?) -> String? {
        guard let boolFlag, (try? Bool.parseFlag(stray)) != nil else { return nil }
        return "a bool flag takes its value only as -\(boolFlag)=\(stray)"
    }
}
