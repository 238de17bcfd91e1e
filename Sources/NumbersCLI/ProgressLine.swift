import Glibc
import NumbersProtocol

/// The client's live status line on stderr: numbers in order (of n, and %), rate, missing now,
/// ranges requested, probes, RTT, ETA. On a terminal it is redrawn in place (`\r`, erase to the
/// end of the line) at most `terminalRate` times a second; elsewhere, when asked for, it is
/// written as a plain line once a second, so a log stays readable.
package final class ProgressLine {
    /// Most redraws a second on a terminal.
    package static let terminalRate = 10
    package let onTerminal: Bool
    private let interval: Nanoseconds
    private var startedAt: Instant?
    private var lastDrawAt: Instant?
    private var lastCumulative: UInt32 = 0
    /// Numbers a second, smoothed over the last few draws.
    private var rate: Double?
    private var drawn = false
    package private(set) var draws = 0

    package init(onTerminal: Bool) {
        self.onTerminal = onTerminal
        interval = onTerminal ? Nanoseconds.milliseconds(UInt64(1_000 / Self.terminalRate)) : .seconds(1 as UInt64)
    }

    /// True when stderr is a terminal.
    package static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Cheap when nothing is due: one comparison. Call every loop turn.
    @inline(__always) package func update(_ engine: ClientEngine, now: Instant) {
        if let last = lastDrawAt, now - last < interval { return }
        draw(engine, now: now)
    }

    private func draw(_ engine: ClientEngine, now: Instant) {
        let start = startedAt ?? now
        startedAt = start
        let cumulative = engine.cumulative
        if let last = lastDrawAt, now > last {
            let sample = Double(cumulative &- lastCumulative) / (now - last).seconds
            rate = rate.map { 0.7 * $0 + 0.3 * sample } ?? sample
        }
        lastDrawAt = now
        lastCumulative = cumulative
        let line = Self.text(cumulative: cumulative, total: engine.total, rate: rate, missing: engine.missing,
                             rangesRequested: engine.counters.rangesRequested, probes: engine.counters.probesSent,
                             roundTrip: engine.roundTripEstimate, elapsed: now - start)
        write(onTerminal ? "\r" + line + "\u{1B}[K" : line + "\n")
        drawn = true
        draws += 1
    }

    /// Erases the line on a terminal, so that what is printed next starts clean.
    package func finish() {
        if onTerminal && drawn { write("\r\u{1B}[K") }
    }

    package static func text(cumulative: UInt32, total: UInt32?, rate: Double?, missing: UInt32, rangesRequested: UInt64,
                            probes: UInt64, roundTrip: Nanoseconds?, elapsed: Nanoseconds) -> String {
        var parts: [String] = []
        if let total {
            let percent = total == 0 ? 100 : Double(cumulative) / Double(total) * 100
            parts.append("\(grouped(UInt64(cumulative))) of \(grouped(UInt64(total))) (\(fixed(percent, 1))%)")
        } else {
            parts.append("\(grouped(UInt64(cumulative))) in order")
        }
        parts.append(rate.map { "\(scaled($0)) numbers/s" } ?? "– numbers/s")
        parts.append("missing \(grouped(UInt64(missing)))")
        parts.append("requested \(grouped(rangesRequested)) ranges")
        parts.append("\(grouped(probes)) probes")
        parts.append("RTT \(roundTrip.map { "\($0)" } ?? "–")")
        if let total, let rate, rate > 0 {
            let left = Double(total - min(cumulative, total)) / rate
            parts.append("ETA \(Nanoseconds.seconds(left.rounded(.up)))")
        } else {
            parts.append("ETA –")
        }
        parts.append("elapsed \(Nanoseconds((elapsed.value / 100_000_000) * 100_000_000))")
        return parts.joined(separator: "  ")
    }

    static func grouped(_ v: UInt64) -> String {
        var digits = String(v)
        var out = ""
        while digits.count > 3 { out = "," + digits.suffix(3) + out; digits.removeLast(3) }
        return digits + out
    }

    static func fixed(_ v: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let r = (v * scale).rounded() / scale
        var text = String(r)
        if !text.contains(".") { text += "." + String(repeating: "0", count: places) }
        return text
    }

    /// 12.3 M, 456 k, 78.
    static func scaled(_ v: Double) -> String {
        if v >= 1e6 { return fixed(v / 1e6, 1) + " M" }
        if v >= 1e4 { return fixed(v / 1e3, 0).replacingZeroFraction() + " k" }
        return String(Int(v.rounded()))
    }

    private func write(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}

private extension String {
    func replacingZeroFraction() -> String { hasSuffix(".0") ? String(dropLast(2)) : self }
}
