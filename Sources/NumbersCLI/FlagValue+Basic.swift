extension String: FlagValue {
    package static var flagKind: String { "string" }
    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> String { text }
    package var flagDefaultText: String? { isEmpty ? nil : debugDescription }
}

extension Bool: FlagValue {
    package static var flagKind: String { "" }
    package static var isBoolFlag: Bool { true }

    /// The spellings Go's strconv.ParseBool accepts, so scripts written for Go tools carry over.
    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> Bool {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw InvalidFlagValue("not a boolean (use true or false)")
        }
    }

    package var flagDefaultText: String? { self ? "true" : nil }
}

extension Double: FlagValue {
    package static var flagKind: String { "float" }

    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> Double {
        guard let value = Double(text) else { throw InvalidFlagValue("not a number") }
        // Swift accepts "nan" and "inf"; no setting here means anything with them, and NaN
        // would slip through every range check a validation closure could write.
        guard value.isFinite else { throw InvalidFlagValue("must be a finite number") }
        return value
    }

    /// Whole numbers print without ".0", as Go's %v does (`(default 1)`, `(default 0.05)`).
    package var flagDefaultText: String? {
        if rounded() == self, abs(self) < 1e15 { return String(Int64(self)) }
        return description
    }
}
