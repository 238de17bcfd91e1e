import Testing
@testable import NumbersCLI

/// Each value kind's accepted texts, edge values and error reasons.
@Suite struct ValueKindTests {
    private func parse<V: FlagValue>(_ type: V.Type, _ text: String) -> Result<V, InvalidFlagValue> {
        do { return .success(try V.parseFlag(text)) } catch { return .failure(error) }
    }

    @Test func uint32Edges() {
        #expect(parse(UInt32.self, "0") == .success(0))
        #expect(parse(UInt32.self, "4294967295") == .success(.max))
        #expect(parse(UInt32.self, "4294967296") == .failure(.init("out of range (must be at most 4294967295)")))
        #expect(parse(UInt32.self, "-1") == .failure(.init("must not be negative")))
        #expect(parse(UInt32.self, "-0") == .success(0))
        #expect(parse(UInt32.self, "abc") == .failure(.init("not an integer")))
        #expect(parse(UInt32.self, "") == .failure(.init("not an integer")))
        #expect(parse(UInt32.self, "1.5") == .failure(.init("not an integer")))
        #expect(parse(UInt32.self, " 1") == .failure(.init("not an integer")))
        #expect(parse(UInt32.self, "0x10") == .failure(.init("not an integer")))
    }

    @Test func uint64Edges() {
        #expect(parse(UInt64.self, "18446744073709551615") == .success(.max))
        #expect(parse(UInt64.self, "18446744073709551616") == .failure(.init("out of range (must be at most 18446744073709551615)")))
        #expect(parse(UInt64.self, "-5") == .failure(.init("must not be negative")))
    }

    @Test func intEdges() {
        #expect(parse(Int.self, "-9223372036854775808") == .success(.min))
        #expect(parse(Int.self, "9223372036854775807") == .success(.max))
        #expect(parse(Int.self, "+7") == .success(7))
        #expect(parse(Int.self, "9223372036854775808") == .failure(
            .init("out of range (must be between -9223372036854775808 and 9223372036854775807)")))
        #expect(parse(Int.self, "12abc") == .failure(.init("not an integer")))
    }

    @Test func doubles() {
        #expect(parse(Double.self, "0.25") == .success(0.25))
        #expect(parse(Double.self, "1e-3") == .success(0.001))
        #expect(parse(Double.self, "-2") == .success(-2))
        #expect(parse(Double.self, "abc") == .failure(.init("not a number")))
        #expect(parse(Double.self, "nan") == .failure(.init("must be a finite number")))
        #expect(parse(Double.self, "inf") == .failure(.init("must be a finite number")))
    }

    @Test func strings() {
        #expect(parse(String.self, "") == .success(""))
        #expect(parse(String.self, "a b=c") == .success("a b=c"))
    }

    @Test func bools() {
        for text in ["1", "t", "T", "true", "TRUE", "True"] { #expect(parse(Bool.self, text) == .success(true)) }
        for text in ["0", "f", "F", "false", "FALSE", "False"] { #expect(parse(Bool.self, text) == .success(false)) }
        #expect(parse(Bool.self, "yes") == .failure(.init("not a boolean (use true or false)")))
    }

    @Test func badValueMessageNamesValueFlagAndReason() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.uint32("port", default: 9000, usage: "")
        #expect(throws: FlagError.invalidValue(flag: "port", value: "abc", reason: "not an integer")) {
            try flags.parse(["-port", "abc"])
        }
        let error = FlagError.invalidValue(flag: "port", value: "abc", reason: "not an integer")
        #expect(error.description == #"invalid value "abc" for flag -port: not an integer"#)
    }

    @Test func validationClosures() throws {
        let flags = FlagSet(program: "t", summary: "")
        let port = flags.uint32("port", default: 9000, usage: "",
                                validate: { $0 <= 65535 ? nil : "must be at most 65535" })
        let loss = flags.double("loss", default: 0, usage: "",
                                validate: { (0..<1).contains($0) ? nil : "must be in [0, 1)" })
        let n = flags.uint64("n", default: 1, usage: "",
                             validate: { (1...4_294_967_295).contains($0) ? nil : "must be between 1 and 4294967295" })

        try flags.parse(["-port", "65535", "-loss", "0.999", "-n", "4294967295"])
        #expect(port.value == 65535)
        #expect(loss.value == 0.999)
        #expect(n.value == 4_294_967_295)

        #expect(throws: FlagError.invalidValue(flag: "port", value: "65536", reason: "must be at most 65535")) {
            try flags.parse(["-port", "65536"])
        }
        #expect(throws: FlagError.invalidValue(flag: "loss", value: "1", reason: "must be in [0, 1)")) {
            try flags.parse(["-loss=1"])
        }
        #expect(throws: FlagError.invalidValue(flag: "n", value: "0", reason: "must be between 1 and 4294967295")) {
            try flags.parse(["-n", "0"])
        }
        // Kind errors come first: the closure never sees malformed text.
        #expect(throws: FlagError.invalidValue(flag: "n", value: "-1", reason: "must not be negative")) {
            try flags.parse(["-n", "-1"])
        }
        // A rejected value leaves the previous one in place.
        #expect(port.value == 65535)
    }

    @Test func customKind() throws {
        enum Mode: String, FlagValue {
            case fast, safe
            static var flagKind: String { "mode" }
            static func parseFlag(_ text: String) throws(InvalidFlagValue) -> Mode {
                guard let mode = Mode(rawValue: text) else { throw InvalidFlagValue("must be fast or safe") }
                return mode
            }
            var flagDefaultText: String? { rawValue }
        }
        let flags = FlagSet(program: "t", summary: "")
        let mode = flags.flag("mode", default: Mode.safe, usage: "how to run")
        try flags.parse(["-mode=fast"])
        #expect(mode.value == .fast)
        #expect(flags.usageText.contains("  -mode mode\n      how to run (default safe)\n"))
    }
}
