import Testing
@testable import NumbersCLI

/// Go `time.ParseDuration` syntax in, Go `Duration.String` text out.
@Suite struct DurationTests {
    private func nanos(_ text: String) throws -> UInt64 {
        try FlagDuration(parsing: text).nanoseconds
    }

    private func reason(_ text: String) -> String? {
        do { _ = try FlagDuration(parsing: text); return nil } catch { return error.reason }
    }

    @Test(arguments: [
        ("0", 0), ("+0", 0), ("0s", 0), ("10ns", 10), ("250us", 250_000), ("250\u{00B5}s", 250_000),
        ("250\u{03BC}s", 250_000), ("500ms", 500_000_000), ("2s", 2_000_000_000),
        ("1.5s", 1_500_000_000), (".5s", 500_000_000), ("1.s", 1_000_000_000),
        ("1m30s", 90_000_000_000), ("1h", 3_600_000_000_000), ("1h2m3s4ms5us6ns", 3_723_004_005_006),
        ("1.1ms", 1_100_000), ("0.1h", 360_000_000_000), ("+2s", 2_000_000_000),
        ("0.000000001s", 1), ("0.0000000019s", 1), ("1.12345678912345678912345s", 1_123_456_789),
        ("18446744073709551615ns", UInt64.max),
    ] as [(String, UInt64)])
    func validForms(text: String, expected: UInt64) throws {
        #expect(try nanos(text) == expected)
    }

    @Test func invalidForms() {
        #expect(reason("-1s") == "durations cannot be negative")
        #expect(reason("-0") == "durations cannot be negative")
        #expect(reason("5") == "missing unit in duration (e.g. 500ms, 2s, 1m30s)")
        #expect(reason("1m30") == "missing unit in duration (e.g. 500ms, 2s, 1m30s)")
        #expect(reason("5x") == #"unknown unit "x" in duration (use ns, us, ms, s, m, h)"#)
        #expect(reason("5S") == #"unknown unit "S" in duration (use ns, us, ms, s, m, h)"#)
        #expect(reason("1s 2s") == #"unknown unit "s " in duration (use ns, us, ms, s, m, h)"#)
        #expect(reason("") == "not a duration (e.g. 500ms, 2s, 1m30s)")
        #expect(reason("s") == "not a duration (e.g. 500ms, 2s, 1m30s)")
        #expect(reason(".s") == "not a duration (e.g. 500ms, 2s, 1m30s)")
        #expect(reason("+") == "not a duration (e.g. 500ms, 2s, 1m30s)")
        #expect(reason("18446744073709551616ns") == "duration too large")
        #expect(reason("18446744073709551615ns1ns") == "duration too large")
        #expect(reason("5124096h") == "duration too large")
    }

    @Test func flagErrorMessage() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.duration("interval", default: .seconds(1), usage: "")
        #expect(throws: FlagError.invalidValue(flag: "interval", value: "-1s", reason: "durations cannot be negative")) {
            try flags.parse(["-interval=-1s"])
        }
    }

    @Test(arguments: [
        (0, "0s"), (1, "1ns"), (999, "999ns"), (1_000, "1\u{00B5}s"), (1_500, "1.5\u{00B5}s"),
        (250_000, "250\u{00B5}s"), (1_100_000, "1.1ms"), (500_000_000, "500ms"), (1_000_000_000, "1s"),
        (1_500_000_000, "1.5s"), (30_000_000_000, "30s"), (60_000_000_000, "1m0s"),
        (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h0m0s"), (3_723_004_005_006, "1h2m3.004005006s"),
        (UInt64.max, "5124095h34m33.709551615s"),
    ] as [(UInt64, String)])
    func goFormatting(nanoseconds: UInt64, expected: String) {
        #expect(FlagDuration(nanoseconds: nanoseconds).description == expected)
    }

    @Test func formattedTextParsesBack() throws {
        for value: UInt64 in [0, 7, 1_500, 1_100_000, 90_000_000_000, 3_723_004_005_006, .max] {
            #expect(try nanos(FlagDuration(nanoseconds: value).description) == value)
        }
    }

    @Test func constructorsSaturate() {
        #expect(FlagDuration.milliseconds(500).nanoseconds == 500_000_000)
        #expect(FlagDuration.microseconds(3).nanoseconds == 3_000)
        #expect(FlagDuration.minutes(2) == .seconds(120))
        #expect(FlagDuration.seconds(.max).nanoseconds == .max)
    }
}
