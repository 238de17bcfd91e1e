import Glibc
import NumbersImpairment
import NumbersProtocol

/// The JSON Lines `numbers-server -json` writes: one object per session event, a first line when
/// it listens and a totals line at shutdown (schema in docs/json.md). Each carries `event` and
/// `unixTime` (wall clock, seconds, to the microsecond), so lines join with other logs.
package enum ServerJSONReport {
    package static let schema = "numbers-server/1"

    package static func unixTime() -> JSON {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return .number(Double(spec.tv_sec) + Double(spec.tv_nsec / 1_000) / 1e6, places: 6)
    }

    static func line(_ event: String, _ members: [(String, JSON)]) -> String {
        JSON.object([("event", .string(event)), ("unixTime", unixTime())] + members).compact
    }

    package static func listening(address: PeerAddress, settings: [(String, JSON)]) -> String {
        line("listening", [("schema", .string(schema)), ("address", .string("\(address)"))] + settings)
    }

    package static func line(for event: ServerEvent) -> String {
        switch event {
        case .created(let id, let total, let address):
            return line("created", [("clientID", .string("\(id)")), ("n", .unsigned(UInt64(total))), ("address", .string("\(address)"))])
        case .resumed(let id, let from, let address):
            return line("resumed", [("clientID", .string("\(id)")), ("from", .unsigned(UInt64(from))), ("address", .string("\(address)"))])
        case .adopted(let id, let from, let address):
            return line("adopted", [("clientID", .string("\(id)")), ("from", .unsigned(UInt64(from))), ("address", .string("\(address)"))])
        case .moved(let id, let address):
            return line("moved", [("clientID", .string("\(id)")), ("address", .string("\(address)"))])
        case .refused(let reason, let tag, let address):
            return line("refused", [("reason", .string(reason.key)), ("reasonText", .string("\(reason)")),
                                    ("tag", .unsigned(UInt64(tag))), ("address", .string("\(address)"))])
        case .ended(let id, let total, let acknowledged, let reason, let stats):
            return line(reason.rawValue, [("clientID", .string("\(id)")), ("n", .unsigned(UInt64(total))),
                                          ("acknowledged", .unsigned(UInt64(acknowledged))), ("stats", stats.json)])
        }
    }

    package static func totals(signal: String, sessionsOpen: Int, counters: ServerCounters, eventsDropped: UInt64,
                              oversizeDropped: UInt64, socketDrops: Int, segmentation: SegmentationReport,
                              simulator: ImpairmentCounters?, sharing: SessionSharing.Counters?) -> String {
        line("totals", [
            ("signal", .string(signal)),
            ("sessionsOpen", .int(sessionsOpen)),
            ("counters", counters.json),
            ("eventsDropped", .unsigned(eventsDropped)),
            ("socket", .object([("oversizeDropped", .unsigned(oversizeDropped)), ("sendsDropped", .int(socketDrops)),
                                ("segmentation", segmentation.json)])),
            ("simulator", simulator?.json ?? .null),
            ("store", sharing?.json ?? .null),
        ])
    }
}
