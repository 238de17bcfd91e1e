/// What the client engine did. Printed at the end of every run.
public struct ClientCounters: Sendable, Hashable {
    public var datagramsReceived: UInt64 = 0
    public var decodeErrors: [DecodeError: UInt64] = [:]
    /// Well-formed but not for us: foreign tag, wrong source, wrong total, a client-side type.
    public var invalidDropped: UInt64 = 0
    public var dataReceived: UInt64 = 0
    public var numbersReceived: UInt64 = 0
    public var duplicateNumbers: UInt64 = 0
    public var outsideWindow: UInt64 = 0
    public var trailersReceived: UInt64 = 0
    public var challengesReceived: UInt64 = 0

    public var datagramsSent: UInt64 = 0
    public var opensSent: UInt64 = 0
    public var acksSent: UInt64 = 0
    public var probesSent: UInt64 = 0
    /// ACKs sent by the request timer: requests re-sent because they or their answer were lost.
    public var repairsSent: UInt64 = 0
    /// Missing ranges requested (NACKs), and the numbers they covered.
    public var rangesRequested: UInt64 = 0
    public var numbersRequested: UInt64 = 0
    /// Times the stream came back after the client had to probe (an outage or a lost tail).
    public var recoveries: UInt64 = 0

    public init() {}
    public var decodeErrorTotal: UInt64 { decodeErrors.values.reduce(0, +) }
}

/// The verified outcome of a completed transfer.
public struct ClientResult: Sendable, Hashable {
    public var clientID: ClientID
    public var total: UInt32
    public var sum: UInt64
    public var expectedSum: UInt64
    public var computedCRC: UInt32
    public var expectedCRC: UInt32
    public var passed: Bool { sum == expectedSum && computedCRC == expectedCRC }
}

/// Why a client stopped without a result.
public enum ClientFailure: Sendable, Hashable, CustomStringConvertible {
    /// The server answered with a REJECT (for a resume: the session is gone).
    case rejected(RejectReason)
    /// Nothing arrived from the server for `ClientConfig.giveUpAfter`.
    case noAnswer(after: Nanoseconds)
    /// Resuming with an expected n, the session held another.
    case countMismatch(expected: UInt32, actual: UInt32)

    public var description: String {
        switch self {
        case .rejected(.unknownSession): return "the server refused to resume: session expired or unknown"
        case .rejected(let reason): return "the server refused: \(reason)"
        case .noAnswer(let t): return "no answer from the server for \(t); giving up"
        case .countMismatch(let e, let a): return "the session holds \(a) numbers, not \(e)"
        }
    }
}

/// Where a client is. `finished` and `failed` are final: once reached, the status never changes.
public enum ClientStatus: Sendable, Hashable {
    /// Sending OPEN, no DATA yet.
    case connecting
    /// Receiving numbers.
    case streaming
    /// Every number and the trailer arrived; `ClientResult.passed` says whether they verify.
    case finished(ClientResult)
    case failed(ClientFailure)

    /// Finished or failed: the engine sends at most a few DONE acknowledgements more.
    public var isOver: Bool {
        switch self { case .finished, .failed: return true; default: return false }
    }
}
