import Foundation
import Glibc
import Testing

/// Programs from Debian packages that some tests need (.ci/run installs them). Where one is
/// missing the test is skipped with the reason, except under CI=true, where it fails.
enum DebianTools {
    static func find(_ name: String) -> String? { KernelLoss.find(name) }

    /// Nil when every program is there, else what is missing and which package has it.
    static func missing(_ programs: [(program: String, package: String)]) -> String? {
        let absent = programs.filter { find($0.program) == nil }
        guard !absent.isEmpty else { return nil }
        return "missing " + absent.map { "`\($0.program)` (Debian package \($0.package))" }.joined(separator: ", ")
    }

    static func canRun(_ programs: [(program: String, package: String)]) -> Bool {
        missing(programs) == nil || KernelLoss.requiredByCI
    }

    static func skipComment(_ programs: [(program: String, package: String)]) -> Comment {
        Comment(rawValue: (missing(programs) ?? "") + "; set CI=true to make this a failure")
    }
}
