import NumbersProtocol

/// The fuzz targets: one entry point per target, shared by the libFuzzer harnesses under Fuzz/
/// and by the `swift test` replay of the corpus and of every regression input. Each checks its
/// invariants with `precondition`, so a violation is a crash that libFuzzer records.
package enum FuzzTargets {
    /// Every target's name, in the order `Fuzz/run all` runs them.
    package static let names = ["decode", "server", "client"]

    /// Runs the named target on one input; false if there is no such target.
    @discardableResult
    package static func run(_ name: String, _ data: UnsafeRawBufferPointer) -> Bool {
        switch name {
        case "decode": decode(data)
        case "server": server(data)
        case "client": client(data)
        default: return false
        }
        return true
    }
}

extension FuzzTargets {
    /// The client's status at the end of a `client` program (for tests of the seeds).
    package static func clientStatus(_ data: UnsafeRawBufferPointer) -> ClientStatus {
        var input = FuzzInput(data)
        var harness = ClientHarness(&input)
        defer { harness.close() }
        harness.drain()
        while !input.isEmpty { harness.step(&input) }
        return harness.client.status
    }

    /// The server's counters at the end of a `server` program (for tests of the seeds).
    package static func serverCounters(_ data: UnsafeRawBufferPointer) -> ServerCounters {
        var input = FuzzInput(data)
        var harness = ServerHarness(configByte: input.u8())
        defer { harness.close() }
        while !input.isEmpty { harness.step(&input) }
        return harness.engine.counters
    }
}
