import NumbersProtocol
import NumbersSimulation
import Testing

/// Every server window from the smallest the protocol allows to the default, with every batch
/// size from one number to a full DATA: a lossless transfer runs at the speed the window allows
/// (one window per round trip), never waits on a probe, and sends each datagram once. The
/// one-datagram window (294 numbers in batches of 294) is the case that once collapsed: every
/// arrival gap then holds the client's own ACK.
@Suite("Window range (simulated)")
struct WindowRangeSimulationTests {
    static let roundTrip = Nanoseconds.milliseconds(10)
    static let windows: [UInt32] = [294, 295, 511, 588, 1_000, 4_096, 65_536, 1_048_576]
    static let batches = [1, 2, 7, 100, 293, 294]

    @Test("full speed without a probe", arguments: windows)
    func fullSpeedWithoutAProbe(window: UInt32) {
        for batch in Self.batches where UInt32(batch) <= window {
            // Three windows and a bit, so the window's edge is crossed; at most 100,000 DATA, so
            // the largest windows in one-number datagrams stay quick.
            let count = UInt32(min(UInt64(window) * 3 + 7, UInt64(100_000 * batch)))
            let run = LossRun(p: 0, count: count, batch: batch, window: window, roundTrip: Self.roundTrip, seed: 1)
            var simulation = Simulation(run.scenario)
            let out = simulation.run()
            let label = "window \(window) batch \(batch) n \(count)"
            var passed = false
            if case .finished(let result) = out.statuses[0] { passed = result.passed }
            #expect(passed && out.violations.isEmpty, "\(label): \(out.statuses[0]) \(out.violations.prefix(2))")
            #expect(out.clientCounters[0].probesSent == 0, "\(label): \(out.clientCounters[0].probesSent) probes")
            // Each number once: nothing retransmitted (the window's edge may split a DATA, so
            // the count of datagrams is not n / batch).
            #expect(out.serverCounters.retransmittedDatagrams == 0, "\(label): \(out.serverCounters.retransmittedDatagrams) retransmitted")
            #expect(out.serverCounters.numbersSent == UInt64(count), "\(label): \(out.serverCounters.numbersSent) numbers sent")
            // One window per round trip after the 1.5-round-trip handshake, plus one round trip
            // for the last window to arrive, with a quarter round trip of slack per window for
            // the ACK that opens the next.
            let windowRounds = (Double(count) / Double(window)).rounded(.up)
            let bound = (2 + windowRounds * 1.25) * Double(Self.roundTrip.value) / 1e9
            let seconds = out.finishedAt[0].map { Double($0.nanoseconds) / 1e9 } ?? .infinity
            #expect(seconds <= bound, "\(label): \(seconds) s, bound \(bound) s")
        }
    }
}
