import Glibc
import Testing
@testable import NumbersTransport

@Suite("SIGINT/SIGTERM become a flag and a wakeup")
struct SignalTrapTests {
    @Test func trappedSignalSetsTheFlagAndWakesThePoll() throws {
        let socket = try UDPSocket(host: "127.0.0.1", port: 0)
        let trap = try SignalTrap()
        defer { trap.restore() }
        #expect(trap.caught == nil)
        // A second trap would fight over the same process-wide handlers.
        #expect(throws: SocketError.self) { _ = try SignalTrap() }

        // Sent to the process, as a shell's kill or Ctrl-C would: test threads (dispatch
        // workers) block these signals, so the kernel runs the handler on another thread, and
        // only the wakeup tells this one.
        kill(getpid(), SIGTERM)
        #expect(socket.wait(timeout: .seconds(UInt64(2)), wakeup: trap.wakeup) == .woken)
        #expect(trap.caught == SIGTERM)

        kill(getpid(), SIGINT)
        #expect(socket.wait(timeout: .seconds(UInt64(2)), wakeup: trap.wakeup) == .woken)
        #expect(trap.caught == SIGINT)

        trap.restore()
        // Restored, so a new trap can be installed again.
        let again = try SignalTrap(signals: [SIGUSR2])
        again.restore()
    }
}
