import Foundation
import Glibc
import Synchronization
import Testing

/// A network namespace of the test's own, in which the kernel drops UDP at random:
///
///     ip netns add NAME
///     ip netns exec NAME ip link set lo up
///     ip netns exec NAME IPTABLES -A INPUT -p udp -m statistic --mode random --probability P -j DROP
///
/// Every datagram on the namespace's loopback passes INPUT once, on arrival, so both
/// directions lose P. `remove()` deletes the namespace (and with it the rule); call it in a
/// `defer`, after killing what runs inside.
///
/// Which iptables: the first of `iptables`, `iptables-legacy`, `iptables-nft` that can add the
/// rule in a fresh namespace. On Debian 12 `iptables` is iptables-nft (nf_tables backend, the
/// `statistic` match through nft_compat), and both backends work on a stock kernel; a kernel
/// without nf_tables falls back to iptables-legacy (x_tables).
struct NetworkNamespace {
    let name: String
    let tools: KernelLoss.Tools

    /// Creates the namespace with its loopback up and the DROP rule. On failure, nothing is left.
    static func make(_ name: String, dropProbability: Double, tools: KernelLoss.Tools) throws -> NetworkNamespace {
        let namespace = NetworkNamespace(name: name, tools: tools)
        namespace.remove()  // A leftover of a killed earlier run with the same PID, if any.
        let add = runCommand(tools.ip, ["netns", "add", name])
        guard add.termination == .exited(0) else {
            throw SpawnError(description: "ip netns add \(name): \(add.termination.map { "\($0)" } ?? "timed out"): \(add.output)")
        }
        do {
            try namespace.run([tools.ip, "link", "set", "lo", "up"])
            try namespace.run([tools.iptables, "-A", "INPUT", "-p", "udp", "-m", "statistic", "--mode", "random",
                               "--probability", String(dropProbability), "-j", "DROP"])
        } catch {
            namespace.remove()
            throw error
        }
        return namespace
    }

    /// `ip netns exec NAME …` as a prefix for `ChildProcess` (ip execs the program: same PID).
    var launcher: Launcher { Launcher(prefix: [tools.ip, "netns", "exec", name]) }

    func run(_ command: [String]) throws {
        let result = runCommand(tools.ip, ["netns", "exec", name] + command)
        guard result.termination == .exited(0) else {
            throw SpawnError(description: "ip netns exec \(name) \(command.joined(separator: " ")): \(result.termination.map { "\($0)" } ?? "timed out"): \(result.output)")
        }
    }

    /// Packets the DROP rule has dropped so far, from `iptables -L INPUT -v -n -x`.
    var droppedPackets: UInt64? {
        let listing = runCommand(tools.ip, ["netns", "exec", name, tools.iptables, "-L", "INPUT", "-v", "-n", "-x"])
        guard listing.termination == .exited(0) else { return nil }
        for line in listing.output.split(separator: "\n") where line.contains("DROP") && line.contains("statistic") {
            return line.split(separator: " ").first.flatMap { UInt64($0) }
        }
        return nil
    }

    func remove() {
        runCommand(tools.ip, ["netns", "delete", name])
    }
}

/// Whether this machine can run the kernel-loss test, found out once.
enum KernelLoss {
    struct Tools: Sendable {
        var ip: String
        var iptables: String
    }

    /// `CI=true`: the test must run, and not being able to is a failure.
    static var requiredByCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static let searchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    static func find(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (searchPath + path).map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }

    /// What can be told without changing anything: root, `ip`, an iptables. Nil when all there.
    static let missingPrerequisite: String? = {
        if geteuid() != 0 { return "not running as root (network namespaces and iptables need it)" }
        if find("ip") == nil { return "no `ip` command (install iproute2)" }
        if ["iptables", "iptables-legacy", "iptables-nft"].allSatisfy({ find($0) == nil }) {
            return "no `iptables` command (install iptables)"
        }
        return nil
    }()

    /// The probe's verdict, for `.enabled(if:)`. Evaluated only when the test is about to run;
    /// on failure it says why on stderr, since the skip comment was fixed before the probe.
    static var canRun: Bool {
        switch probe {
        case .success: return true
        case .failure(let reason):
            if !requiredByCI { reportOnce("kernel-loss test skipped, this machine cannot run it: \(reason)") }
            return false
        }
    }

    static var skipComment: Comment {
        Comment(rawValue: "kernel-loss test cannot run here: "
                + (missingPrerequisite ?? "cannot make a network namespace with an iptables DROP rule (reason on stderr)")
                + "; set CI=true to make this a failure")
    }

    private static let reported = Mutex(false)
    private static func reportOnce(_ message: String) {
        guard reported.withLock({ let first = !$0; $0 = true; return first }) else { return }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Tries it for real: a namespace, the loopback up, the rule with each iptables in turn.
    static let probe: Result<Tools, SpawnError> = {
        if let missing = missingPrerequisite { return .failure(SpawnError(description: missing)) }
        let ip = find("ip")!
        let name = "ns-numbers-\(getpid())-probe"
        let add = runCommand(ip, ["netns", "add", name])
        guard add.termination == .exited(0) else {
            return .failure(SpawnError(description: "cannot make a network namespace (`ip netns add` \(add.termination.map { "\($0)" } ?? "timed out")): \(add.output)"))
        }
        defer { runCommand(ip, ["netns", "delete", name]) }
        var attempts: [String] = []
        for candidate in ["iptables", "iptables-legacy", "iptables-nft"] {
            guard let iptables = find(candidate) else { continue }
            let rule = runCommand(ip, ["netns", "exec", name, iptables, "-A", "INPUT", "-p", "udp", "-m", "statistic",
                                       "--mode", "random", "--probability", "0.5", "-j", "DROP"])
            if rule.termination == .exited(0) { return .success(Tools(ip: ip, iptables: iptables)) }
            attempts.append("\(iptables): \(rule.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return .failure(SpawnError(description: "no iptables could add a `statistic` DROP rule in a namespace: \(attempts.joined(separator: "; "))"))
    }()
}
