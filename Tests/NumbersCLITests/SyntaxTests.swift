import Testing
@testable import NumbersCLI

/// The argument shapes Go's flag package accepts, and where flag parsing stops.
@Suite struct SyntaxTests {
    @Test(arguments: [
        ["-port", "9000"], ["-port=9000"], ["--port", "9000"], ["--port=9000"],
    ])
    func everySpellingOfAValuedFlag(arguments: [String]) throws {
        let flags = FlagSet(program: "t", summary: "")
        let port = flags.uint32("port", default: 1, usage: "")
        try flags.parse(arguments)
        #expect(port.value == 9000)
        #expect(port.isSet)
    }

    @Test(arguments: [
        (["-v"], true), (["--v"], true), (["-v=true"], true), (["-v=false"], false),
        (["--v=false"], false), (["-v=1"], true), (["-v=0"], false), (["-v=F"], false), ([], false),
    ])
    func boolForms(arguments: [String], expected: Bool) throws {
        let flags = FlagSet(program: "t", summary: "")
        let verbose = flags.bool("v", usage: "")
        try flags.parse(arguments)
        #expect(verbose.value == expected)
        #expect(verbose.isSet == !arguments.isEmpty)
    }

    @Test func bareBoolNeverConsumesTheNextArgument() throws {
        let flags = FlagSet(program: "t", summary: "", allowsPositionals: true)
        let verbose = flags.bool("v", usage: "")
        let rest = try flags.parse(["-v", "false"])
        #expect(verbose.value == true)
        #expect(rest == ["false"])
    }

    @Test func bareBoolFollowedByLiteralGetsAHintWhenPositionalsAreRejected() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.bool("v", usage: "")
        #expect(throws: FlagError.unexpectedArgument("false", hint: "a bool flag takes its value only as -v=false")) {
            try flags.parse(["-v", "false"])
        }
    }

    @Test func badBoolValue() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.bool("v", usage: "")
        #expect(throws: FlagError.invalidValue(flag: "v", value: "yes", reason: "not a boolean (use true or false)")) {
            try flags.parse(["-v=yes"])
        }
    }

    @Test func doubleDashEndsFlags() throws {
        let flags = FlagSet(program: "t", summary: "", allowsPositionals: true)
        let port = flags.int("port", default: 1, usage: "")
        let rest = try flags.parse(["-port", "2", "--", "-port", "3", "x"])
        #expect(port.value == 2)
        #expect(rest == ["-port", "3", "x"])
    }

    @Test func firstNonFlagStopsParsingLikeGo() throws {
        let flags = FlagSet(program: "t", summary: "", allowsPositionals: true)
        let port = flags.int("port", default: 1, usage: "")
        let rest = try flags.parse(["x", "-port", "3"])
        #expect(port.value == 1)
        #expect(!port.isSet)
        #expect(rest == ["x", "-port", "3"])
    }

    @Test func loneDashIsPositional() throws {
        let flags = FlagSet(program: "t", summary: "", allowsPositionals: true)
        #expect(try flags.parse(["-"]) == ["-"])
    }

    @Test func positionalsRejectedByDefault() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.int("port", default: 1, usage: "")
        #expect(throws: FlagError.unexpectedArgument("x", hint: nil)) { try flags.parse(["-port", "2", "x"]) }
        #expect(throws: FlagError.unexpectedArgument("x", hint: nil)) { try flags.parse(["x"]) }
        #expect(throws: FlagError.unexpectedArgument("y", hint: nil)) { try flags.parse(["--", "y"]) }
        #expect(FlagError.unexpectedArgument("x", hint: nil).description == "unexpected argument 'x'")
    }

    @Test func noArgumentsIsFine() throws {
        let flags = FlagSet(program: "t", summary: "")
        #expect(try flags.parse([]) == [])
    }

    @Test func valueMayStartWithADashAsInGo() throws {
        let flags = FlagSet(program: "t", summary: "")
        let offset = flags.int("offset", default: 0, usage: "")
        let name = flags.string("name", usage: "")
        try flags.parse(["-offset", "-5", "-name", "-x"])
        #expect(offset.value == -5)
        #expect(name.value == "-x")
    }

    @Test func emptyInlineValueAndValueContainingEquals() throws {
        let flags = FlagSet(program: "t", summary: "")
        let name = flags.string("name", default: "d", usage: "")
        let other = flags.string("other", usage: "")
        try flags.parse(["-name=", "-other=a=b"])
        #expect(name.value == "")
        #expect(name.isSet)
        #expect(other.value == "a=b")
    }

    @Test func lastOccurrenceWins() throws {
        let flags = FlagSet(program: "t", summary: "")
        let n = flags.int("n", default: 0, usage: "")
        try flags.parse(["-n", "1", "-n=2"])
        #expect(n.value == 2)
    }

    @Test func unknownFlag() {
        let flags = FlagSet(program: "t", summary: "")
        #expect(throws: FlagError.unknownFlag(name: "nope")) { try flags.parse(["--nope=1"]) }
        #expect(FlagError.unknownFlag(name: "nope").description == "unknown flag -nope")
    }

    @Test func missingValueAtEndOfArguments() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.int("port", default: 1, usage: "")
        #expect(throws: FlagError.missingValue(flag: "port")) { try flags.parse(["-port"]) }
        #expect(FlagError.missingValue(flag: "port").description == "flag -port needs a value")
    }

    @Test(arguments: ["---x", "-=1", "--=1", "---"])
    func badSyntax(argument: String) {
        let flags = FlagSet(program: "t", summary: "")
        #expect(throws: FlagError.badSyntax(argument: argument)) { try flags.parse([argument]) }
    }

    @Test(arguments: [["-h"], ["-help"], ["--help"], ["--h"], ["-port", "1", "-h"], ["-help=false"]])
    func helpRequested(arguments: [String]) {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.int("port", default: 1, usage: "")
        #expect(throws: FlagError.helpRequested) { try flags.parse(arguments) }
    }

    @Test func errorBeforeHelpWinsBecauseParsingIsInOrder() {
        let flags = FlagSet(program: "t", summary: "")
        _ = flags.int("port", default: 1, usage: "")
        #expect(throws: FlagError.invalidValue(flag: "port", value: "x", reason: "not an integer")) {
            try flags.parse(["-port", "x", "-h"])
        }
    }

    @Test func programMayDefineItsOwnH() throws {
        let flags = FlagSet(program: "t", summary: "")
        let host = flags.string("h", usage: "host")
        try flags.parse(["-h", "example"])
        #expect(host.value == "example")
    }

    @Test func isSetDistinguishesExplicitDefaults() throws {
        let flags = FlagSet(program: "t", summary: "")
        let failEvery = flags.uint64("failEvery", default: 0, usage: "")
        let goOffline = flags.duration("goOfflineFor", default: .zero, usage: "")
        try flags.parse(["-failEvery", "0"])
        #expect(flags.isSet("failEvery"))
        #expect(failEvery.isSet)
        #expect(failEvery.value == 0)
        #expect(!flags.isSet("goOfflineFor"))
        #expect(!goOffline.isSet)
    }

    @Test func failedValueDoesNotMarkTheFlagSet() {
        let flags = FlagSet(program: "t", summary: "")
        let n = flags.int("n", default: 7, usage: "")
        #expect(throws: FlagError.self) { try flags.parse(["-n", "x"]) }
        #expect(!n.isSet)
        #expect(n.value == 7)
    }
}
