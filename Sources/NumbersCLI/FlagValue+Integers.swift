extension Int: FlagValue {
    package static var flagKind: String { "int" }
    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> Int {
        try parseDecimal(text)
    }
    package var flagDefaultText: String? { String(self) }
}

extension UInt32: FlagValue {
    package static var flagKind: String { "uint32" }
    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> UInt32 {
        try parseDecimal(text)
    }
    package var flagDefaultText: String? { String(self) }
}

extension UInt64: FlagValue {
    package static var flagKind: String { "uint64" }
    package static func parseFlag(_ text: String) throws(InvalidFlagValue) -> UInt64 {
        try parseDecimal(text)
    }
    package var flagDefaultText: String? { String(self) }
}

/// Decimal only (no 0x, no underscores): these flags are typed by people and scripts, and one
/// spelling keeps error messages simple. Failures are told apart so the message says what to fix.
func parseDecimal<T: FixedWidthInteger>(_ text: String) throws(InvalidFlagValue) -> T {
    if let value = T(text, radix: 10) { return value }
    guard looksLikeInteger(text) else { throw InvalidFlagValue("not an integer") }
    let negative = text.hasPrefix("-")
    if negative, !T.isSigned {
        // "-0" is still zero; only a real negative number is refused.
        if text.utf8.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") }) { return 0 }
        throw InvalidFlagValue("must not be negative")
    }
    if T.isSigned {
        throw InvalidFlagValue("out of range (must be between \(T.min) and \(T.max))")
    }
    throw InvalidFlagValue("out of range (must be at most \(T.max))")
}

/// An optional sign and at least one ASCII digit: the shape of an integer, whatever its size.
func looksLikeInteger(_ text: String) -> Bool {
    var digits = text.utf8[...]
    if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
        digits = digits.dropFirst()
    }
    return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}
