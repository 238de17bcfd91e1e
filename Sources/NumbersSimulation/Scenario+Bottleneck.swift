import NumbersImpairment
import NumbersProtocol

extension Scenario {
    /// `clients` clients of `count` numbers each behind one bottleneck on the server's side (all
    /// DATA shares its queue), full speed, full datagrams; the reverse path has the same
    /// propagation delay and no queue. Clients start `stagger` apart, and (when there are several)
    /// each a seeded fraction of `startJitter` later, so that each seed is its own trajectory:
    /// without it nothing in a run without random loss depended on the seed, and one trajectory
    /// judged every change. `randomLoss` is injected on the DATA path on top of what the queue
    /// drops. With `sharedHost` the clients run on one host (one address, a port each), as the
    /// real bench's clients in one namespace do; otherwise each is a host of its own.
    package static let startJitter = Nanoseconds.milliseconds(1)

    package static func bottleneck(_ link: BottleneckLink, clients: Int, count: UInt32, control: CongestionControl,
                                  seed: UInt64, stagger: Nanoseconds = .zero, randomLoss: Double = 0,
                                  sharedHost: Bool = true) -> Scenario {
        var server = ServerConfig()
        server.interval = .zero
        server.batch = Limits.maxNumbersPerDatagram
        server.congestionControl = control
        var jitter = SplitMix64(seed: seed &+ 0x5EED_0F_5742)
        let plans = (0..<clients).map { i in
            let offset = clients > 1 ? Nanoseconds(UInt64(jitter.nextUnitDouble() * Double(startJitter.value))) : .zero
            return ClientPlan(count: count, startAt: .zero + stagger * UInt64(i) + offset,
                              impairment: ImpairmentConfig(delay: link.propagation, seed: seed &+ 10 &+ UInt64(i)))
        }
        var scenario = Scenario(seed: seed, server: server,
                                serverImpairment: ImpairmentConfig(dropRate: randomLoss, seed: seed &+ 2, bottleneck: link),
                                clients: plans, clientGiveUpAfter: .seconds(60 as UInt64), limit: .zero + .seconds(3_600 as UInt64))
        scenario.clientsShareHost = sharedHost
        return scenario
    }
}
