@testable import NumbersProtocol

/// A model controller fed by a steady stream over a path with no queue of its own: one full DATA
/// every `spacing`, each acknowledged `delay` after it left (at the first step at or past that),
/// or first reported missing there if `lost` says so for its ordinal in the call. The ACKs due at
/// a step are handled after that step's DATA.
struct SteadyStream {
    let c: ModelController
    var now = Instant.zero
    private var end: UInt32 = 0
    private var inFlight: [(end: UInt32, ackAt: Instant, lost: Bool)] = []

    init(_ c: ModelController = ModelController(now: .zero)) { self.c = c }

    /// Sends for `duration`, handling the ACKs that come due meanwhile; returns the most bytes in
    /// flight. With `windowLimited`, every DATA leaves the session at the client's window.
    @discardableResult
    mutating func send(for duration: Nanoseconds, spacing: Nanoseconds = .microseconds(10), delay: Nanoseconds,
                       lost: (Int) -> Bool = { _ in false }, windowLimited: Bool = false) -> Int {
        let stop = now + duration
        var sent = 0, most = 0
        while now < stop {
            end += 294
            sent += 1
            c.onSent(bytes: 1_200, numbers: 294, newNumbers: 294, end: end, now: now)
            if windowLimited { c.onFlowLimited() }
            inFlight.append((end, now + delay, lost(sent)))
            most = max(most, inFlight.count * 1_200)
            acknowledgeDue()
            now = now + spacing
        }
        return most
    }

    /// No more DATA: time goes on in steps of `spacing` until every ACK has been handled.
    mutating func drain(spacing: Nanoseconds = .microseconds(10)) {
        while !inFlight.isEmpty {
            acknowledgeDue()
            now = now + spacing
        }
    }

    private mutating func acknowledgeDue() {
        while let first = inFlight.first, first.ackAt <= now {
            inFlight.removeFirst()
            if first.lost { c.onLoss(numbers: 294, now: now) }
            c.onAck(cumulative: first.end, highest: first.end, now: now)
        }
    }
}
