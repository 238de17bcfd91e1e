#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `parseOrExit` will do, split from doing it so tests can check it without exiting.
enum ParseOutcome: Equatable {
    case proceed([String])
    case exit(status: Int32, standardOutput: String, standardError: String)
}

extension FlagSet {
    /// Parses, or prints and exits as Go's `flag.ExitOnError` does: help on stdout with
    /// status 0, errors on stderr with status 2. Returns the positional arguments (always empty
    /// unless `allowsPositionals`).
    @discardableResult
    package func parseOrExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> [String] {
        switch outcome(of: arguments) {
        case .proceed(let rest):
            return rest
        case .exit(let status, let standardOutput, let standardError):
            Self.write(standardOutput, to: STDOUT_FILENO)
            Self.write(standardError, to: STDERR_FILENO)
            exit(status)
        }
    }

    /// For rules that span flags (e.g. "-goOfflineFor requires -failEvery"): reports `message`
    /// exactly like a parse error, so users see one consistent format, and exits with status 2.
    package func failUsage(_ message: String) -> Never {
        Self.write(errorReport(.usage(message)), to: STDERR_FILENO)
        exit(2)
    }

    func outcome(of arguments: [String]) -> ParseOutcome {
        do {
            return .proceed(try parse(arguments))
        } catch .helpRequested {
            return .exit(status: 0, standardOutput: usageText, standardError: "")
        } catch {
            return .exit(status: 2, standardOutput: "", standardError: errorReport(error))
        }
    }

    /// `program: message` plus a pointer to `-h`: the full flag list would bury the one line
    /// that says what went wrong.
    func errorReport(_ error: FlagError) -> String {
        "\(program): \(error)\nRun '\(program) -h' for usage.\n"
    }

    /// Straight to the file descriptor: stdio buffers would need flushing before `exit`, and
    /// the C `stderr` global is not usable under strict concurrency.
    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Darwin)
                Darwin.write(descriptor, buffer.baseAddress, buffer.count)
                #elseif canImport(Musl)
                Musl.write(descriptor, buffer.baseAddress, buffer.count)
                #else
                Glibc.write(descriptor, buffer.baseAddress, buffer.count)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // Nothing useful to do if the terminal is gone; the exit status still tells.
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
