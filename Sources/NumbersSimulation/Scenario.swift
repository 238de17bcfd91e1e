import NumbersImpairment
import NumbersProtocol

/// One simulated run, drawn entirely from a seed: the server's settings, each side's impairment,
/// and what happens to each client (a restart with the same ID, an early death, a late return).
package struct Scenario: Sendable, CustomStringConvertible {
    package struct ClientPlan: Sendable {
        package var count: UInt32
        package var startAt: Instant
        package var impairment: ImpairmentConfig
        /// The process dies at this instant (its state is lost)…
        package var diesAt: Instant?
        /// …and a new process with the same client ID resumes at this instant (nil: never).
        package var restartsAt: Instant?
        /// The restarted process comes from a new source port.
        package var restartMovesAddress: Bool

        package init(count: UInt32, startAt: Instant, impairment: ImpairmentConfig, diesAt: Instant? = nil,
                    restartsAt: Instant? = nil, restartMovesAddress: Bool = false) {
            self.count = count; self.startAt = startAt; self.impairment = impairment; self.diesAt = diesAt
            self.restartsAt = restartsAt; self.restartMovesAddress = restartMovesAddress
        }
    }

    package init(seed: UInt64, server: ServerConfig, serverImpairment: ImpairmentConfig, clients: [ClientPlan],
                clientGiveUpAfter: Nanoseconds, limit: Instant) {
        self.seed = seed; self.server = server; self.serverImpairment = serverImpairment; self.clients = clients
        self.clientGiveUpAfter = clientGiveUpAfter; self.limit = limit
    }

    package var seed: UInt64
    package var server: ServerConfig
    package var serverImpairment: ImpairmentConfig
    package var clients: [ClientPlan]
    package var clientGiveUpAfter: Nanoseconds
    /// Virtual time after which the run is stopped whatever its state.
    package var limit: Instant
    /// Every client runs on one host (one address, a port each), as a lab's clients behind one
    /// access link do; otherwise each client is a host of its own.
    package var clientsShareHost = false

    /// Draws a scenario. `profile` bounds what can be drawn: `.full` mixes every impairment and
    /// lifecycle event; `.lossOnly(p)` is plain random loss both ways (used by the benchmark).
    package static func random(seed: UInt64) -> Scenario {
        var rng = SplitMix64(seed: seed)
        func chance(_ p: Double) -> Bool { rng.nextUnitDouble() < p }
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * rng.nextUnitDouble() }
        func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }

        var server = ServerConfig()
        server.interval = pick([.zero, .zero, .milliseconds(1), .milliseconds(5)])
        server.batch = pick([1, 3, 8, 50, Limits.maxNumbersPerDatagram])
        server.window = max(UInt32(server.batch), pick([Limits.minWindow, 512, 1_024, 4_096]))
        server.sessionTTL = pick([.seconds(10 as UInt64), .seconds(30 as UInt64)])
        server.maxSessions = 16

        func impairment() -> ImpairmentConfig {
            var c = ImpairmentConfig(seed: rng.next())
            if chance(0.8) { c.dropRate = pick([0.0, 0.05, 0.1, 0.2, 0.3, 0.5, uniform(0, 0.5)]) }
            if chance(0.15) { c.burst = GilbertElliott(p: uniform(0.01, 0.1), r: uniform(0.2, 0.8)) }
            if chance(0.3) { c.duplicateRate = uniform(0, 0.1) }
            if chance(0.3) { c.reorderRate = uniform(0, 0.1) }
            if chance(0.3) { c.corruptRate = uniform(0, 0.05) }
            if chance(0.5) { c.delay = .microseconds(UInt64(uniform(0, 20_000))) }
            if chance(0.3) { c.jitter = .microseconds(UInt64(uniform(0, 10_000))) }
            return c
        }

        var serverImpairment = impairment()
        // An outage of the server: every so many datagrams it goes silent and deaf for a while;
        // sometimes for longer than the clients' patience, and longer than the session TTL.
        var giveUp = Nanoseconds.seconds(60 as UInt64)
        if chance(0.15) {
            // Rare enough that the server is mostly up: at full speed it sends thousands of
            // datagrams a second, and each failure starts a whole offline period.
            serverImpairment.failEvery = UInt64(pick([2_000, 5_000, 20_000]))
            serverImpairment.goOfflineFor = pick([.milliseconds(500), .seconds(3 as UInt64), .seconds(12 as UInt64), .seconds(70 as UInt64)])
            if serverImpairment.goOfflineFor > .seconds(60 as UInt64) { giveUp = .seconds(20 as UInt64) }
        }
        var clients: [ClientPlan] = []
        for _ in 0..<pick([1, 1, 2, 3, 4]) {
            let count: UInt32 = pick([1, 2, 293, 294, 295, UInt32(uniform(1, 3_000)), UInt32(uniform(1, 3_000))])
            let start = Instant(nanoseconds: UInt64(uniform(0, 2e9)))
            var plan = ClientPlan(count: count, startAt: start, impairment: impairment(), diesAt: nil, restartsAt: nil,
                                  restartMovesAddress: chance(0.5))
            if chance(0.2) {
                let dies = start + .milliseconds(UInt64(uniform(1, 500)))
                plan.diesAt = dies
                // Back soon (resumes), back after the TTL (refused), or never (session expires).
                switch rng.next() % 3 {
                case 0: plan.restartsAt = dies + .milliseconds(UInt64(uniform(1, 2_000)))
                case 1: plan.restartsAt = dies + server.sessionTTL + .seconds(1 as UInt64)
                default: plan.restartsAt = nil
                }
            }
            clients.append(plan)
        }
        return Scenario(seed: seed, server: server, serverImpairment: serverImpairment, clients: clients,
                        clientGiveUpAfter: giveUp, limit: Instant(nanoseconds: 0) + .seconds(900 as UInt64))
    }

    /// Plain random loss `p` both ways with a fixed one-way delay, one client, full speed: what the
    /// benchmark's efficiency figure measures.
    package static func loss(_ p: Double, count: UInt32, batch: Int, window: UInt32, seed: UInt64,
                            delay: Nanoseconds = .milliseconds(5)) -> Scenario {
        var server = ServerConfig()
        server.interval = .zero
        server.batch = batch
        server.window = window
        let client = ClientPlan(count: count, startAt: .zero, impairment: ImpairmentConfig(dropRate: p, delay: delay, seed: seed &+ 1),
                                diesAt: nil, restartsAt: nil, restartMovesAddress: false)
        return Scenario(seed: seed, server: server, serverImpairment: ImpairmentConfig(dropRate: p, delay: delay, seed: seed &+ 2),
                        clients: [client], clientGiveUpAfter: .seconds(60 as UInt64), limit: .zero + .seconds(3_600 as UInt64))
    }

    /// Whether every client must end with PASS: nothing in the scenario can legitimately stop one.
    package func mustPass(client index: Int) -> Bool {
        let plan = clients[index]
        if plan.diesAt != nil && plan.restartsAt == nil { return false }
        // Silence near the TTL or the client's patience may legitimately end a session: allow for
        // the client's probe interval (at most about 1.2 s) on top of the silence itself.
        let margin = Nanoseconds.seconds(2 as UInt64)
        if let dies = plan.diesAt, let back = plan.restartsAt, back - dies + margin >= server.sessionTTL { return false }
        if serverImpairment.failEvery > 0 && serverImpairment.goOfflineFor + margin >= min(clientGiveUpAfter, server.sessionTTL) { return false }
        return true
    }

    package var description: String {
        var lines = ["seed \(seed): server interval \(server.interval) batch \(server.batch) window \(server.window) ttl \(server.sessionTTL); server impairment \(serverImpairment)"]
        for (i, c) in clients.enumerated() {
            var life = ""
            if let d = c.diesAt { life = ", dies at \(d)" + (c.restartsAt.map { ", restarts at \($0)\(c.restartMovesAddress ? " from a new port" : "")" } ?? ", never returns") }
            lines.append("  client \(i): n=\(c.count) starts at \(c.startAt)\(life); impairment \(c.impairment)")
        }
        return lines.joined(separator: "\n")
    }
}
