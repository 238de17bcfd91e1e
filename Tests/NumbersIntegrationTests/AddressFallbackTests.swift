import Foundation
import Glibc
import Testing

/// A network namespace whose resolver names `localhost` as both 127.0.0.1 and ::1 (`ip netns
/// exec` mounts /etc/netns/NAME/hosts over /etc/hosts), so a real getaddrinfo gives the client
/// two addresses of which only one has a server behind it.
struct ResolverNamespace {
    let name: String
    let ip: String
    var hostsDirectory: String { "/etc/netns/\(name)" }
    var launcher: Launcher { Launcher(prefix: [ip, "netns", "exec", name]) }

    static func make(_ name: String, hosts: String) throws -> ResolverNamespace {
        guard let ip = KernelLoss.find("ip") else { throw SpawnError(description: "no `ip` command (install iproute2)") }
        let namespace = ResolverNamespace(name: name, ip: ip)
        namespace.remove()
        let add = runCommand(ip, ["netns", "add", name])
        guard add.termination == .exited(0) else { throw SpawnError(description: "ip netns add \(name): \(add.output)") }
        let up = runCommand(ip, ["netns", "exec", name, ip, "link", "set", "lo", "up"])
        guard up.termination == .exited(0) else { namespace.remove(); throw SpawnError(description: "lo up: \(up.output)") }
        do {
            try FileManager.default.createDirectory(atPath: namespace.hostsDirectory, withIntermediateDirectories: true)
            try hosts.write(toFile: namespace.hostsDirectory + "/hosts", atomically: true, encoding: .utf8)
        } catch {
            namespace.remove()
            throw error
        }
        return namespace
    }

    func remove() {
        runCommand(ip, ["netns", "delete", name])
        try? FileManager.default.removeItem(atPath: hostsDirectory)
    }

    static var missingPrerequisite: String? {
        if geteuid() != 0 { return "not running as root (network namespaces need it)" }
        if KernelLoss.find("ip") == nil { return "no `ip` command (install iproute2)" }
        return nil
    }
}

@Suite("A name with several addresses: the client keeps the first that answers", .serialized)
struct AddressFallbackTests {
    static let hosts = "127.0.0.1 localhost\n::1 localhost\n"
    static var canRun: Bool { ResolverNamespace.missingPrerequisite == nil }
    static var skip: Comment { Comment(rawValue: "needs a network namespace: \(ResolverNamespace.missingPrerequisite ?? "")") }

    @Test("-host localhost reaches a server on either of its addresses, at once",
          .enabled(if: canRun || KernelLoss.requiredByCI, skip), .timeLimit(.minutes(1)),
          arguments: ["::1", "127.0.0.1"])
    func eitherFamily(serverHost: String) async throws {
        let namespace = try ResolverNamespace.make("ns-numbers-\(getpid())-resolve\(serverHost.contains(":") ? "6" : "4")", hosts: Self.hosts)
        let group = ChildGroup()
        defer { group.killAll(); namespace.remove() }

        let server = try await startServer(group, ["-host", serverHost, "-interval", "0", "-batch", "50", "-quiet"],
                                           launcher: namespace.launcher)
        let run = try await runClient(group, port: server.port, ["-host", "localhost", "-n", "5000", "-giveUpAfter", "10s"],
                                      timeout: .seconds(20), launcher: namespace.launcher)
        #expect(run.termination == .exited(0), "\(run.transcript)")
        #expect(run.report.passed, "\(run.transcript)")
        let shown = serverHost.contains(":") ? "[\(serverHost)]:\(server.port)" : "\(serverHost):\(server.port)"
        #expect(run.stdout.contains("asking \(shown) for 5000 numbers"), "\(run.transcript)")
        // The silent candidate costs one attempt delay (250 ms), not a give-up period.
        #expect(run.elapsed < .seconds(5), "\(run.transcript)")
    }

    @Test("with nothing listening, the client names every address it tried and exits 4",
          .enabled(if: canRun || KernelLoss.requiredByCI, skip), .timeLimit(.minutes(1)))
    func noneAnswers() async throws {
        let namespace = try ResolverNamespace.make("ns-numbers-\(getpid())-silent", hosts: Self.hosts)
        let group = ChildGroup()
        defer { group.killAll(); namespace.remove() }
        let port = try freeUDPPort()
        let run = try await runClient(group, port: port, ["-host", "localhost", "-n", "10", "-giveUpAfter", "1s"],
                                      timeout: .seconds(10), launcher: namespace.launcher)
        #expect(run.termination == .exited(4), "\(run.transcript)")
        #expect(run.stderr.contains("[::1]:\(port)") && run.stderr.contains("127.0.0.1:\(port)"), "\(run.transcript)")
    }

    @Test("an IPv6 literal is printed in its canonical form")
    func literalCanonical() async throws {
        let group = ChildGroup()
        defer { group.killAll() }
        let server = try await startServer(group, ["-host", "0:0:0:0:0:0:0:1", "-interval", "0", "-batch", "50", "-quiet"])
        // The port is bound before the line is printed and read: wait for the line itself.
        for _ in 0..<500 where !server.process.outputLines.contains(where: { $0.hasPrefix("numbers-server: listening on") }) {
            usleep(10_000)
        }
        #expect(server.process.outputLines.first { $0.hasPrefix("numbers-server: listening on") }?
                    .hasPrefix("numbers-server: listening on [::1]:\(server.port) ") == true, "\(server.process.transcript)")
        let run = try await runClient(group, port: server.port, ["-host", "[0:0::1]", "-n", "100"])
        #expect(run.report.passed && run.stdout.contains("asking [::1]:\(server.port) for 100 numbers"), "\(run.transcript)")
    }
}
