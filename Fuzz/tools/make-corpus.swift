import Foundation
import NumbersFuzzing

/// Writes the seed corpus (Fuzz/corpus/<target>/<name>) and the dictionaries (Fuzz/dict/<target>.dict)
/// from FuzzSeeds, which builds them with the protocol's own encoder and constants.
/// Usage: make-corpus FUZZ_DIR
@main
struct MakeCorpus {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 2 else {
            FileHandle.standardError.write(Data("usage: make-corpus FUZZ_DIR\n".utf8))
            exit(2)
        }
        let root = URL(fileURLWithPath: args[1])
        let fm = FileManager.default
        for target in FuzzTargets.names {
            let dir = root.appendingPathComponent("corpus").appendingPathComponent(target)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            let seeds = FuzzSeeds.seeds(for: target)
            let wanted = Set(seeds.map(\.name))
            for old in try fm.contentsOfDirectory(atPath: dir.path) where !wanted.contains(old) {
                try fm.removeItem(at: dir.appendingPathComponent(old))
            }
            for seed in seeds { try Data(seed.bytes).write(to: dir.appendingPathComponent(seed.name)) }
            let dictDir = root.appendingPathComponent("dict")
            try fm.createDirectory(at: dictDir, withIntermediateDirectories: true)
            try Data(FuzzSeeds.dictionary(for: target).utf8).write(to: dictDir.appendingPathComponent("\(target).dict"))
            print("\(target): \(seeds.count) seeds")
        }
    }
}
