/// What the chart shows, in seconds and sequence indices, gathered from one or more traces of one
/// transfer (a client's, a server's, or both: the server's shows losses it sent into, the
/// client's its cumulative ACK; with both, each series comes from the side that saw it).
struct ChartData {
    struct Span { var t: Double; var from: Double; var to: Double }
    struct Point { var t: Double; var index: Double }

    var firstSends: [Span] = []
    var retransmissions: [Span] = []
    var losses: [Span] = []
    var acknowledged: [Point] = []
    var probes: [Point] = []
    var outages: [(from: Double, to: Double)] = []
    var total: Double?
    var tag: Int?
    var duration: Double = 0

    /// Most marks drawn per series: beyond it the series is thinned evenly, so a chart of a
    /// 10,000,000-number transfer stays a file a browser opens.
    static let maxMarksPerSeries = 20_000

    init(traces: [Trace], tag requested: Int?) {
        guard let origin = traces.map(\.unixMicros).min() else { return }
        func time(_ event: [String: Any], _ trace: Trace) -> Double? {
            (event["t"] as? Int).map { Double($0 + trace.unixMicros - origin) / 1e6 }
        }
        let client = traces.first { $0.side == .client }
        let server = traces.first { $0.side == .server }
        tag = requested ?? Self.tag(client: client, server: server)
        func mine(_ e: [String: Any]) -> Bool { tag == nil || e["tag"] as? Int == tag }

        // DATA: as the server sent it when its trace is here (drops are losses), else as the client received it.
        var highest = -1.0
        if let server {
            for e in server.events where e["type"] as? String == "DATA" && mine(e) {
                guard let t = time(e, server), let from = (e["index"] as? Int).map(Double.init),
                      let to = (e["end"] as? Int).map(Double.init) else { continue }
                total = total ?? (e["total"] as? Int).map(Double.init)
                switch e["ev"] as? String {
                case "send", "drop":
                    let span = Span(t: t, from: from, to: to)
                    if from >= highest { firstSends.append(span) } else { retransmissions.append(span) }
                    highest = max(highest, to)
                    if e["ev"] as? String == "drop" { losses.append(span) }
                case "corrupt":
                    losses.append(Span(t: t, from: from, to: to))
                default: break
                }
            }
        } else if let client {
            for e in client.events where e["type"] as? String == "DATA" && mine(e) {
                guard let t = time(e, client), let from = (e["index"] as? Int).map(Double.init),
                      let to = (e["end"] as? Int).map(Double.init) else { continue }
                total = total ?? (e["total"] as? Int).map(Double.init)
                let span = Span(t: t, from: from, to: to)
                switch e["ev"] as? String {
                case "recv":
                    if from >= highest { firstSends.append(span) } else { retransmissions.append(span) }
                    highest = max(highest, to)
                case "reject": losses.append(span)
                default: break
                }
            }
        }

        // The cumulative ACK and probes: as the client sent them, else as the server received them.
        let ackSide = client ?? server
        let ackEvents: Set<String> = ackSide?.side == .client ? ["send", "drop"] : ["recv"]
        if let ackSide {
            for e in ackSide.events where e["type"] as? String == "ACK" && mine(e) && ackEvents.contains(e["ev"] as? String ?? "") {
                guard let t = time(e, ackSide), let cum = (e["cum"] as? Int).map(Double.init) else { continue }
                acknowledged.append(Point(t: t, index: cum))
                if e["probe"] as? Bool == true { probes.append(Point(t: t, index: cum)) }
            }
        }

        for trace in traces {
            for e in trace.events {
                if let t = time(e, trace) { duration = max(duration, t) }
                if e["ev"] as? String == "offline", let from = time(e, trace), let until = e["until"] as? Int {
                    outages.append((from, Double(until + trace.unixMicros - origin) / 1e6))
                }
            }
        }
        if total == nil { total = (firstSends + retransmissions).map(\.to).max() }
        // Time 0 is the first thing drawn (a server's trace may start long before its client).
        let start = ([firstSends.first?.t, acknowledged.first?.t, losses.first?.t].compactMap { $0 } + outages.map(\.from)).min() ?? 0
        if start > 0 {
            for i in firstSends.indices { firstSends[i].t -= start }
            for i in retransmissions.indices { retransmissions[i].t -= start }
            for i in losses.indices { losses[i].t -= start }
            for i in acknowledged.indices { acknowledged[i].t -= start }
            for i in probes.indices { probes[i].t -= start }
            outages = outages.map { ($0.from - start, $0.to - start) }
            duration = max(0, duration - start)
        }
        firstSends = Self.thinned(firstSends)
        retransmissions = Self.thinned(retransmissions)
        losses = Self.thinned(losses)
        acknowledged = Self.thinned(acknowledged)
        probes = Self.thinned(probes)
    }

    /// The client's tag (its first OPEN with a token), else the tag of most of the server's DATA.
    static func tag(client: Trace?, server: Trace?) -> Int? {
        if let client, let open = client.events.first(where: { $0["type"] as? String == "OPEN" }) { return open["tag"] as? Int }
        var counts: [Int: Int] = [:]
        for e in server?.events ?? [] where e["type"] as? String == "DATA" { if let t = e["tag"] as? Int { counts[t, default: 0] += 1 } }
        return counts.max { $0.value < $1.value }?.key
    }

    static func thinned<T>(_ items: [T]) -> [T] {
        guard items.count > maxMarksPerSeries else { return items }
        let step = Double(items.count) / Double(maxMarksPerSeries)
        return (0..<maxMarksPerSeries).map { items[Int(Double($0) * step)] }
    }
}
