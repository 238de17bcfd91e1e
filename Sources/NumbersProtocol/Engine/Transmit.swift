/// One datagram an engine wants sent, as `poll` returns it: the first `length` bytes of the
/// buffer the caller passed to `poll` are the datagram, and `destination` is where it goes.
public struct Transmit: Sendable, Hashable {
    public var length: Int
    public var destination: PeerAddress
    public init(length: Int, destination: PeerAddress) { self.length = length; self.destination = destination }
}
