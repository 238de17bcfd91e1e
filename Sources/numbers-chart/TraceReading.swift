import Foundation

/// One -trace file (docs/trace.md, version 1): its header and its event lines, times moved to a
/// common origin in seconds.
struct Trace {
    enum Side: String { case client, server }
    let path: String
    let side: Side
    let unixMicros: Int
    let events: [[String: Any]]

    static let supportedVersion = 1

    init(path: String) throws {
        self.path = path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard let first = lines.next(),
              let header = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              header["trace"] as? String == "numbers-station" else {
            throw ChartError("\(path): not a numbers-station trace (no header line)")
        }
        guard header["version"] as? Int == Self.supportedVersion else {
            throw ChartError("\(path): trace version \(header["version"] ?? "?"), this chart reads version \(Self.supportedVersion)")
        }
        guard let side = (header["side"] as? String).flatMap(Side.init), let unixMicros = header["unixMicros"] as? Int else {
            throw ChartError("\(path): header without side or unixMicros")
        }
        self.side = side
        self.unixMicros = unixMicros
        var events: [[String: Any]] = []
        var number = 1
        while let line = lines.next() {
            number += 1
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ChartError("\(path):\(number): not a JSON object")
            }
            events.append(event)
        }
        self.events = events
    }
}

struct ChartError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
