import NumbersImpairment
import NumbersProtocol

/// The one JSON object `numbers-client -json` prints at the end (schema in docs/json.md).
package struct ClientJSONReport {
    package static let schema = "numbers-client/1"

    /// How the run ended, as the `result` key says it.
    package enum Result: String, Sendable {
        case pass, fail, refused, noAnswer, countMismatch, interrupted, error
    }

    package var result: Result
    package var exitStatus: Int32
    package var error: String?
    package var clientID: ClientID
    package var server: PeerAddress?
    package var duration: Nanoseconds
    /// Nil when the run ended before a server answered.
    package var engine: ClientEngine?
    package var simulator: ImpairmentCounters?
    /// The simulator's settings and seed as the text output prints them, when it is on.
    package var simulatorSettings: String?
    package var oversizeDropped: UInt64
    package var socketSoftErrors: Int

    package init(result: Result, exitStatus: Int32, error: String?, clientID: ClientID, server: PeerAddress?, duration: Nanoseconds,
                engine: ClientEngine?, simulator: ImpairmentCounters?, simulatorSettings: String?, oversizeDropped: UInt64, socketSoftErrors: Int) {
        self.result = result; self.exitStatus = exitStatus; self.error = error; self.clientID = clientID; self.server = server
        self.duration = duration; self.engine = engine; self.simulator = simulator; self.simulatorSettings = simulatorSettings
        self.oversizeDropped = oversizeDropped; self.socketSoftErrors = socketSoftErrors
    }

    package var json: JSON {
        var outcome: ClientResult?
        if case .finished(let r)? = engine?.status { outcome = r }
        let members: [(String, JSON)] = [
            ("schema", .string(Self.schema)),
            ("result", .string(result.rawValue)),
            ("exitStatus", .int(Int(exitStatus))),
            ("error", error.map(JSON.string) ?? .null),
            ("clientID", .string("\(clientID)")),
            ("server", server.map { .string("\($0)") } ?? .null),
            ("n", engine?.total.map { .unsigned(UInt64($0)) } ?? .null),
            ("inOrder", .unsigned(UInt64(engine?.cumulative ?? 0))),
            ("sum", outcome.map { .unsigned($0.sum) } ?? .null),
            ("expectedSum", outcome.map { .unsigned($0.expectedSum) } ?? .null),
            ("computedCRC", outcome.map { JSON.crc($0.computedCRC) } ?? .null),
            ("expectedCRC", outcome.map { JSON.crc($0.expectedCRC) } ?? .null),
            ("durationSeconds", .seconds(duration)),
            ("duration", .string("\(duration)")),
            ("roundTripSeconds", .seconds(engine?.roundTripEstimate)),
            ("paceSeconds", .seconds(engine?.paceEstimate)),
            ("window", engine.map { .unsigned(UInt64($0.advertisedWindow)) } ?? .null),
            ("counters", (engine?.counters ?? ClientCounters()).json),
            ("socket", .object([("oversizeDropped", .unsigned(oversizeDropped)), ("softErrors", .int(socketSoftErrors))])),
            ("simulator", simulator?.json ?? .null),
            ("simulatorSettings", simulatorSettings.map(JSON.string) ?? .null),
        ]
        return .object(members)
    }
}
