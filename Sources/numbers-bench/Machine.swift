import Glibc

/// What the figures were measured on, so that results from different machines are not compared
/// as if they were the same.
struct Machine {
    var cores: Int
    var cpuModel: String
    var kernel: String
    var swiftVersion: String
    var memoryGiB: Double
    /// The 1-minute load average when the benchmark started: on a shared machine, a busy neighbour
    /// shows here and explains a low figure.
    var loadAverage: Double?
    var commit: String?

    static func current() -> Machine {
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var model = "unknown"
        if let info = readTextFile("/proc/cpuinfo"),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters
        }
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        var memory = 0.0
        if let info = readTextFile("/proc/meminfo"),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kilobytes = line.split(separator: " ").compactMap({ Double($0) }).first {
            memory = kilobytes / 1_048_576
        }
        let load = readTextFile("/proc/loadavg")?.split(separator: " ").first.flatMap { Double($0) }
        return Machine(cores: cores, cpuModel: model, kernel: kernel, swiftVersion: swiftVersion(), memoryGiB: memory,
                       loadAverage: load, commit: commit())
    }

    /// The toolchain's own words (`swift --version`), else the compiler this binary was built with.
    private static func swiftVersion() -> String {
        if let (status, output) = try? run(["swift", "--version"], timeout: 20), status == 0,
           let line = output.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
            return String(line).trimmingCharacters
        }
        #if compiler(>=6.3)
        return "Swift 6.3 or later (compiler of this build)"
        #else
        return "Swift 6 (compiler of this build)"
        #endif
    }

    private static func commit() -> String? {
        guard let (status, output) = try? run(["git", "rev-parse", "--short", "HEAD"], timeout: 5), status == 0 else { return nil }
        let text = output.trimmingCharacters
        return text.isEmpty || text.contains(" ") ? nil : text
    }

    var json: JSON {
        .object([
            ("cores", .int(cores)),
            ("cpu", .string(cpuModel)),
            ("kernel", .string(kernel)),
            ("swift", .string(swiftVersion)),
            ("memory_gib", .number(memoryGiB, places: 1)),
            ("load_average_at_start", .optional(loadAverage, places: 2)),
            ("commit", commit.map { .string($0) } ?? .null),
        ])
    }

    /// One line for charts and tables.
    var summary: String { "\(cores) × \(cpuModel), Linux \(kernel)" }
}

extension StringProtocol {
    var trimmingCharacters: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
