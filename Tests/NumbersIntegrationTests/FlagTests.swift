import Glibc
import Testing

/// One bad command line, and the flag its error must name.
struct BadFlags: Sendable, CustomTestStringConvertible {
    var program: String
    var arguments: [String]
    var flag: String
    var testDescription: String { "\(program) \(arguments.joined(separator: " "))" }
}

private let commonBadFlags: [(arguments: [String], flag: String)] = [
    (["-bogus"], "-bogus"),
    (["-port", "abc"], "-port"),
    (["-port", "70000"], "-port"),
    (["-dropRate", "1"], "-dropRate"),
    (["-dropRate", "-0.1"], "-dropRate"),
    (["-delay", "-1s"], "-delay"),
    (["-goOfflineFor", "1s"], "-goOfflineFor"),
    // Bounds the impairment model's ImpairmentError reports, mapped to usage errors.
    (["-burstLoss", "0,0.5"], "-burstLoss"),
    (["-jitter", "2h"], "-jitter"),
    (["-corruptRate", "nan"], "-corruptRate"),
]

private let badFlagCases: [BadFlags] =
    commonBadFlags.map { BadFlags(program: "numbers-server", arguments: $0.arguments, flag: $0.flag) }
    + commonBadFlags.map { BadFlags(program: "numbers-client", arguments: $0.arguments, flag: $0.flag) }
    + [
        BadFlags(program: "numbers-server", arguments: ["-batch", "0"], flag: "-batch"),
        BadFlags(program: "numbers-server", arguments: ["-batch", "295"], flag: "-batch"),
        BadFlags(program: "numbers-client", arguments: ["-n", "0"], flag: "-n"),
        // Bounds the core's ConfigurationError reports; the executables do not restate them.
        BadFlags(program: "numbers-server", arguments: ["-window", "1"], flag: "-window"),
        BadFlags(program: "numbers-server", arguments: ["-batch", "200", "-window", "128"], flag: "-window"),
        BadFlags(program: "numbers-server", arguments: ["-sessionTTL", "0s"], flag: "-sessionTTL"),
        BadFlags(program: "numbers-server", arguments: ["-maxSessions", "0"], flag: "-maxSessions"),
        BadFlags(program: "numbers-client", arguments: ["-window", "1"], flag: "-window"),
        BadFlags(program: "numbers-client", arguments: ["-giveUpAfter", "0s"], flag: "-giveUpAfter"),
        BadFlags(program: "numbers-client", arguments: ["-clientID", "not-a-uuid"], flag: "-clientID"),
    ]

@Suite("Command lines", .serialized)
struct FlagTests {
    @Test("a bad flag: status 2, nothing on stdout, a one-line error naming the flag", arguments: badFlagCases)
    func badFlag(_ bad: BadFlags) async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let child = try group.spawn(try Executables.path(of: bad.program), bad.arguments)
        let termination = await child.waitForExit(timeout: .seconds(5))
        #expect(termination == .exited(2), "\(child.transcript)")
        #expect(child.standardOutput.isEmpty, "\(child.transcript)")

        let lines = child.errorLines.filter { !$0.isEmpty }
        let first = try #require(lines.first, "an error on stderr\n\(child.transcript)")
        #expect(first.hasPrefix("\(bad.program): "), "\(child.transcript)")
        #expect(names(first, bad.flag), "the error names \(bad.flag)\n\(child.transcript)")
        // The error itself is one line; at most a pointer to -h may follow it.
        #expect(lines.count == 1 || (lines.count == 2 && lines[1].contains("-h")), "\(child.transcript)")
    }

    static let serverFlags: [String] = [
        "batch", "burstLoss", "cc", "corruptRate", "delay", "dropRate", "duplicateRate", "failEvery", "goOfflineFor",
        "gso", "host", "interval", "jitter", "lossSeed", "maxSessions", "port", "quiet", "reorderRate", "reusePort", "sessionTTL", "store", "window",
    ] + instrumentFlags
    static let clientFlags: [String] = [
        "burstLoss", "clientID", "corruptRate", "delay", "dropRate", "duplicateRate", "failEvery", "giveUpAfter",
        "goOfflineFor", "host", "jitter", "lossSeed", "n", "port", "reorderRate", "window",
    ] + instrumentFlags + clientOnlyInstrumentFlags
    /// The experimenter's instruments, on both executables.
    static let instrumentFlags = ["json", "trace", "pcap"]
    static let clientOnlyInstrumentFlags = ["progress"]
    /// Flags whose help need not show a default: bools (false) and an empty optional string.
    static let withoutDefault = Set(["quiet", "clientID", "burstLoss", "reusePort", "gso"] + instrumentFlags + clientOnlyInstrumentFlags)

    @Test("-h: status 0 and usage on stdout listing every flag with its default",
          arguments: [("numbers-server", serverFlags), ("numbers-client", clientFlags)])
    func help(program: String, flags: [String]) async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let child = try group.spawn(try Executables.path(of: program), ["-h"])
        #expect(await child.waitForExit(timeout: .seconds(5)) == .exited(0), "\(child.transcript)")
        #expect(child.standardError.isEmpty, "\(child.transcript)")
        let lines = child.outputLines
        #expect(lines.contains { $0.hasPrefix("Usage: \(program)") }, "\(child.transcript)")

        // Each flag's entry: `  -name kind`, then its indented description up to the next flag.
        var entries: [String: String] = [:]
        var current: String?
        for line in lines {
            if line.hasPrefix("  -") {
                let name = String(line.dropFirst(3).prefix(while: { $0 != " " }))
                current = name
                entries[name] = ""
            } else if let name = current, line.hasPrefix("      ") {
                entries[name, default: ""] += line + "\n"
            } else {
                current = nil
            }
        }
        #expect(Set(entries.keys) == Set(flags), "flags listed: \(entries.keys.sorted())\n\(child.transcript)")
        for flag in flags where !Self.withoutDefault.contains(flag) {
            #expect(entries[flag]?.contains("(default") == true, "-\(flag) shows its default\n\(entries[flag] ?? "missing")")
        }
    }
}

/// True when `line` mentions `flag` itself (`-n`), not only a longer name starting the same.
private func names(_ line: String, _ flag: String) -> Bool {
    var searchFrom = line.startIndex
    while let range = line.range(of: flag, range: searchFrom..<line.endIndex) {
        if range.upperBound == line.endIndex || !(line[range.upperBound].isLetter || line[range.upperBound].isNumber) { return true }
        searchFrom = range.upperBound
    }
    return false
}
