import Foundation
import Testing
@testable import NumbersFuzzing
import NumbersProtocol

/// Replays every seed-corpus file and every regression input under Fuzz/ through the same entry
/// point the libFuzzer harness calls, without the fuzzer. Each file runs in a child process (an
/// exit test), so an input that still crashes fails its own test case instead of the whole run,
/// and under a watchdog, so one that still hangs fails too (SIGALRM, like libFuzzer's -timeout).
enum FuzzFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// "target/kind/name" for every file under Fuzz/corpus/<target>/ and Fuzz/regressions/<target>/.
    static func all(_ kind: String) -> [String] {
        var out: [String] = []
        for target in FuzzTargets.names {
            let dir = root.appendingPathComponent(kind).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") && name != "README.md" {
                out.append("\(kind)/\(target)/\(name)")
            }
        }
        return out
    }

    /// Seconds one replay may take in a debug build before the watchdog kills it.
    static let watchdog: UInt32 = 20

    static func replay(_ path: String) {
        alarm(watchdog)
        let target = path.split(separator: "/")[1]
        let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) ?? Data()
        // An exactly-sized buffer, as libFuzzer gives, so an overread is out of bounds.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
        defer { buffer.deallocate() }
        data.copyBytes(to: buffer)
        precondition(FuzzTargets.run(String(target), UnsafeRawBufferPointer(buffer)), "no target \(target)")
    }
}

@Suite struct FuzzReplay {
    @Test("regression inputs", arguments: FuzzFiles.all("regressions"))
    func regression(path: String) async { await replayInChild(path) }

    @Test("seed corpus", arguments: FuzzFiles.all("corpus"))
    func corpus(path: String) async { await replayInChild(path) }

    /// The child's "Fatal error: fuzz invariant violated: …" line says what failed; to see it, run
    /// the input through the fuzz binary: `Fuzz/run --replay TARGET FILE`.
    func replayInChild(_ path: String) async {
        let target = path.split(separator: "/")[1]
        await #expect(processExitsWith: .success, "\(path) crashed or hung: see why with Fuzz/run --replay \(target) Fuzz/\(path)") { [path] in
            FuzzFiles.replay(path)
        }
    }
}

@Suite struct FuzzSeedChecks {
    @Test("every generated seed is in the repository", arguments: FuzzTargets.names)
    func seedsCommitted(target: String) throws {
        let seeds = FuzzSeeds.seeds(for: target)
        #expect(!seeds.isEmpty)
        for seed in seeds {
            let path = FuzzFiles.root.appendingPathComponent("corpus/\(target)/\(seed.name)").path
            let data = try #require(FileManager.default.contents(atPath: path), "missing \(path): run Fuzz/run --seeds")
            #expect(Array(data) == seed.bytes, "\(path) is stale: run Fuzz/run --seeds")
        }
        let dict = FuzzFiles.root.appendingPathComponent("dict/\(target).dict").path
        #expect(FileManager.default.contents(atPath: dict).map { String(decoding: $0, as: UTF8.self) } == FuzzSeeds.dictionary(for: target))
    }

    @Test("every decode seed decodes") func decodeSeedsDecode() {
        for seed in FuzzSeeds.seeds(for: "decode") {
            let ok = seed.bytes.withUnsafeBytes { raw -> Bool in
                if case .success = NumbersProtocol.WireDecoder.decode(raw) { return true } else { return false }
            }
            #expect(ok, "\(seed.name)")
        }
    }

    @Test("the clean client seeds end in PASS, the corrupt one in FAIL, the forged one in PASS")
    func clientSeedOutcomes() {
        for seed in FuzzSeeds.seeds(for: "client") {
            let status = seed.bytes.withUnsafeBytes { FuzzTargets.clientStatus($0) }
            if seed.name.hasPrefix("clean") || seed.name == "forged" || seed.name == "challenge" {
                guard case .finished(let r) = status else { Issue.record("\(seed.name): \(status)"); continue }
                #expect(r.passed, "\(seed.name)")
            } else if seed.name == "corrupt" {
                guard case .finished(let r) = status else { Issue.record("\(seed.name): \(status)"); continue }
                #expect(!r.passed)
            } else if seed.name == "reject" || seed.name == "strangers" {
                guard case .failed = status else { Issue.record("\(seed.name): \(status)"); continue }
            }
        }
    }

    @Test("the server seeds reach sessions, trailers and the session bound")
    func serverSeedOutcomes() {
        var created: UInt64 = 0, trailers: UInt64 = 0, full: UInt64 = 0, completed: UInt64 = 0, migrations: UInt64 = 0
        for seed in FuzzSeeds.seeds(for: "server") {
            let c = seed.bytes.withUnsafeBytes { FuzzTargets.serverCounters($0) }
            created += c.sessionsCreated; trailers += c.trailersSent; completed += c.sessionsCompleted
            migrations += c.migrations
            if seed.name == "full" { full = c.rejectsSent }
        }
        #expect(created > 5 && trailers > 0 && completed > 0 && migrations > 0 && full > 0)
    }
}
