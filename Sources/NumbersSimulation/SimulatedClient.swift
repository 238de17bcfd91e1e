import NumbersImpairment
import NumbersProtocol

/// One client process of a simulation, with its own send-path impairment and address.
struct SimulatedClient {
    var engine: ClientEngine
    var impairment: Impairment
    var address: PeerAddress
    var alive = true
    /// Which process of this client (0 the first, 1 after a restart).
    var generation = 0
}

/// A datagram on the simulated wire, delivered at the instant its sender's impairment released it.
struct WireDatagram {
    var bytes: [UInt8]
    var from: PeerAddress
    var to: PeerAddress
}

/// What a run ended with, per client and overall.
package struct SimulationOutcome: Sendable {
    package var statuses: [ClientStatus]
    package var finishedAt: [Instant?]
    package var violations: [String]
    package var serverCounters: ServerCounters
    package var clientCounters: [ClientCounters]
    package var sessionsLeft: Int
    package var endedAt: Instant
    /// What the server's side of the network did (a bottleneck's queue drops among it).
    package var serverImpairment = ImpairmentCounters()
}
