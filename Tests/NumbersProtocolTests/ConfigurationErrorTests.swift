import Testing
@testable import NumbersProtocol

@Suite("Configurations say what is wrong with a typed error")
struct ConfigurationErrorTests {
    private func serverError(_ change: (inout ServerConfig) -> Void) -> ConfigurationError? {
        var config = ServerConfig()
        change(&config)
        do { try config.validate(); return nil } catch { return error }
    }

    private func clientError(_ change: (inout ClientConfig) -> Void) -> ConfigurationError? {
        var config = ClientConfig(clientID: ClientID(high: 1, low: 2), mode: .start(count: 10),
                                  server: PeerAddress(ipv4: (127, 0, 0, 1), port: 9), tag: 0)
        change(&config)
        do { try config.validate(); return nil } catch { return error }
    }

    @Test func serverBoundsAtTheirEdges() {
        #expect(serverError { _ in } == nil)
        #expect(serverError { $0.batch = Limits.maxNumbersPerDatagram; $0.window = Limits.maxWindow } == nil)
        #expect(serverError { $0.batch = 0 } == .batchOutOfRange(0))
        #expect(serverError { $0.batch = Limits.maxNumbersPerDatagram + 1 } == .batchOutOfRange(Limits.maxNumbersPerDatagram + 1))
        #expect(serverError { $0.window = Limits.minWindow - 1 } == .windowOutOfRange(Limits.minWindow - 1))
        #expect(serverError { $0.window = Limits.maxWindow + 1 } == .windowOutOfRange(Limits.maxWindow + 1))
        // The smallest window holds a full batch, so windowBelowBatch guards a future change of Limits.
        #expect(Limits.minWindow >= UInt32(Limits.maxNumbersPerDatagram))
        #expect(serverError { $0.sessionTTL = .zero } == .notPositive(setting: "sessionTTL"))
        #expect(serverError { $0.maxSessions = 0 } == .maxSessionsBelowOne(0))
    }

    @Test func clientBounds() {
        #expect(clientError { _ in } == nil)
        #expect(clientError { $0.mode = .start(count: 0) } == .countZero)
        #expect(clientError { $0.mode = .resume(expected: nil) } == nil)
        #expect(clientError { $0.window = Limits.maxWindow + 1 } == .windowOutOfRange(Limits.maxWindow + 1))
        #expect(clientError { $0.giveUpAfter = .zero } == .notPositive(setting: "giveUpAfter"))
    }

    @Test func descriptionsNameTheSettingAndTheBound() {
        let error = ConfigurationError.windowOutOfRange(3)
        #expect(error.setting == "window")
        #expect(error.description == "window must be between \(Limits.minWindow) and \(Limits.maxWindow), got 3")
        #expect(ConfigurationError.countZero.setting == "n")
        #expect(ConfigurationError.batchOutOfRange(0).description == "batch must be between 1 and \(Limits.maxNumbersPerDatagram), got 0")
    }
}
