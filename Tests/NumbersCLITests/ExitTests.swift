import Testing
@testable import NumbersCLI

/// What `parseOrExit` prints and its exit status, checked through `outcome(of:)`, plus a few
/// real exits in child processes to prove the wiring.
@Suite struct ExitTests {
    private func flags() -> FlagSet {
        let flags = FlagSet(program: "numbers-server", summary: "Summary.")
        _ = flags.uint32("port", default: 9000, usage: "UDP port to listen on")
        return flags
    }

    @Test func success() {
        #expect(flags().outcome(of: ["-port", "1"]) == .proceed([]))
    }

    @Test func helpGoesToStdoutWithStatusZero() {
        let set = flags()
        #expect(set.outcome(of: ["--help"]) == .exit(status: 0, standardOutput: set.usageText, standardError: ""))
    }

    @Test func errorsGoToStderrWithStatusTwo() {
        #expect(flags().outcome(of: ["-port", "abc"]) == .exit(status: 2, standardOutput: "", standardError: """
            numbers-server: invalid value "abc" for flag -port: not an integer
            Run 'numbers-server -h' for usage.

            """))
        #expect(flags().outcome(of: ["x"]) == .exit(status: 2, standardOutput: "", standardError: """
            numbers-server: unexpected argument 'x'
            Run 'numbers-server -h' for usage.

            """))
    }

    @Test func crossFlagUsageErrorHasTheSameShape() {
        #expect(flags().errorReport(.usage("-goOfflineFor requires -failEvery")) == """
            numbers-server: -goOfflineFor requires -failEvery
            Run 'numbers-server -h' for usage.

            """)
    }

    @Test func parseOrExitExitsTwoOnError() async {
        let result = await #expect(processExitsWith: .exitCode(2), observing: [\.standardErrorContent]) {
            let flags = FlagSet(program: "numbers-server", summary: "")
            _ = flags.uint32("port", default: 9000, usage: "")
            flags.parseOrExit(["-port", "abc"])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(#"numbers-server: invalid value "abc" for flag -port: not an integer"#))
        #expect(stderr.contains("Run 'numbers-server -h' for usage."))
    }

    @Test func parseOrExitExitsZeroAfterHelp() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let flags = FlagSet(program: "numbers-server", summary: "Summary.")
            _ = flags.uint32("port", default: 9000, usage: "UDP port to listen on")
            flags.parseOrExit(["-h"])
        }
        let stdout = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        #expect(stdout.contains("  -port uint32\n      UDP port to listen on (default 9000)\n"))
    }

    @Test func failUsageExitsTwo() async {
        let result = await #expect(processExitsWith: .exitCode(2), observing: [\.standardErrorContent]) {
            FlagSet(program: "numbers-server", summary: "").failUsage("-goOfflineFor requires -failEvery")
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr == "numbers-server: -goOfflineFor requires -failEvery\nRun 'numbers-server -h' for usage.\n")
    }
}
