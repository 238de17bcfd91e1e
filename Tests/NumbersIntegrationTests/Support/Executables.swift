import Foundation
import Glibc

/// Finds the built `numbers-server` and `numbers-client`.
///
/// Looked for, in order: `$NUMBERS_BIN_DIR`; the directory of the running test binary
/// (`/proc/self/exe`: `swift test` runs the bundle from its build folder, next to the
/// executables of the same build); `.build/debug` under the current directory and under the
/// package root.
enum Executables {
    static var server: String { get throws { try path(of: "numbers-server") } }
    static var client: String { get throws { try path(of: "numbers-client") } }

    static func path(of name: String) throws -> String {
        for directory in searchDirectories {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw SpawnError(description: """
            \(name) not found (looked in: \(searchDirectories.joined(separator: ", "))). \
            Run `swift build` first (or `swift build --scratch-path <dir>` with the same scratch \
            path as `swift test`), or point NUMBERS_BIN_DIR at the folder holding the executables.
            """)
    }

    static let searchDirectories: [String] = {
        var directories: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["NUMBERS_BIN_DIR"], !fromEnvironment.isEmpty {
            directories.append(fromEnvironment)
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = (exe as NSString).deletingLastPathComponent
            // On platforms where the bundle is a directory, the executables sit beside it.
            if directory.hasSuffix(".xctest") || directory.contains(".xctest/") {
                directory = String(directory[..<directory.range(of: ".xctest")!.lowerBound])
                directory = (directory as NSString).deletingLastPathComponent
            }
            directories.append(directory)
        }
        directories.append(FileManager.default.currentDirectoryPath + "/.build/debug")
        directories.append(packageRoot + "/.build/debug")
        var seen = Set<String>()
        return directories.filter { seen.insert($0).inserted }
    }()

    /// This file is <root>/Tests/NumbersIntegrationTests/Support/Executables.swift.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
}
