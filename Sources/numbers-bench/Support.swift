import Glibc
import NumbersCLI
import NumbersProtocol
import NumbersReporting
import NumbersSimulation
import NumbersTransport

/// Progress goes to stderr, so that `-json` output on stdout stays one clean object.
func progress(_ line: String) {
    printError("numbers-bench: " + line)
}

/// Exits with status 1 after a message: a benchmark whose setup failed has no figure to give.
func fatal(_ message: String) -> Never {
    printError("numbers-bench: error: " + message)
    exit(1)
}

/// Writes text straight to stdout (unbuffered, so nothing is lost at `exit`).
func writeStandardOutput(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(written)
    }
}

func seconds(since start: Instant) -> Double { (MonotonicClock.now() - start).seconds }

func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

extension JoinableThread {
    /// A thread the benchmark cannot go on without: failing to start one ends the run. The loops
    /// under test are not Sendable, so each thread builds its own socket, engine and loop and hands
    /// back only Sendable results.
    static func startedOrExit(_ run: @escaping @Sendable () -> Void) -> JoinableThread {
        do { return try JoinableThread(run) } catch { fatal("cannot start a thread: \(error)") }
    }
}

/// Reads a whole (small) file, or nil.
func readTextFile(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { if errno == EINTR { continue }; return nil }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes a whole file, replacing it.
func writeTextFile(_ path: String, _ text: String) throws(BenchError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        bytes = bytes.dropFirst(written)
    }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }
func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

/// The folder holding this executable: `numbers-server` and `numbers-client` of the same build
/// are found beside it.
func executableDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4_096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return "." }
    let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

/// `1234567` → `1,234,567`, for the human-readable tables.
func grouped(_ value: Int) -> String { PublishedFigures.grouped(value) }

/// Fixed decimals without Foundation's String(format:), rounded as the published figures are.
func fixed(_ value: Double, _ places: Int) -> String { PublishedFigures.decimal(value, places) }

/// Pads to a column width (right-aligned), for the text tables.
func column(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}
