import NumbersProtocol

/// One broken invariant, as `InvariantChecker` found it. Its description starts with the run's
/// seed (where the run has one: a fuzz input is its own replay), so that a failing run printed
/// anywhere says how to replay it.
package struct InvariantViolation: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A DATA outside its session's window [acknowledged, acknowledged + window), beyond what
        /// the session records as sent, or no session it could belong to.
        case outsideWindow
        /// A DATA whose numbers are not the generator's at their indices, or a TRAILER whose
        /// checksum is not that of the whole sequence (or that comes before every number went out).
        case wrongNumbers
        /// More bytes sent to an address that never proved itself than it sent.
        case amplification
        /// A session expired before `sessionTTL` of silence from its client.
        case earlyExpiry
        /// A datagram, a session or a session count the protocol does not allow: sent to an
        /// address not proven for the session, echoing an ackSeq never received, a session state
        /// out of order, more sessions than the bound.
        case badState
    }

    package var kind: Kind
    package var at: Instant
    package var seed: UInt64?
    package var detail: String

    package var description: String { (seed.map { "seed \($0) " } ?? "") + "t=\(at): \(kind.rawValue): \(detail)" }
}
