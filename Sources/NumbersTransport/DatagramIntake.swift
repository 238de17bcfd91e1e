import NumbersProtocol

/// The receive half of either side's loop: drains the socket with recvmmsg, 64 datagrams a
/// call, and hands each acceptable datagram to the engine unless this side is offline.
final class DatagramIntake {
    private let socket: UDPSocket
    private let batch = ReceiveBatch()
    /// Truncated or larger than `Limits.maxDatagramSize`: dropped before any decoding.
    private(set) var oversizeDropped: UInt64 = 0
    /// -trace and -pcap, when on.
    var recorder: DatagramRecorder?

    init(socket: UDPSocket) { self.socket = socket }

    /// Reads everything waiting; `deliver` gets the bytes (valid only during the call) and source.
    func drain(now: Instant, sender: ImpairedSender, deliver: (UnsafeRawBufferPointer, PeerAddress) -> Void) throws(SocketError) {
        var received = 0
        repeat {
            received = try socket.receive(into: batch)
            for i in 0..<received {
                guard let recorder else {
                    guard batch.isAcceptable(at: i) else { oversizeDropped += 1; continue }
                    if sender.ignoresInbound(now: now) { continue }
                    deliver(batch.bytes(at: i), batch.source(at: i))
                    continue
                }
                let (bytes, source) = (batch.bytes(at: i), batch.source(at: i))
                guard batch.isAcceptable(at: i) else {
                    oversizeDropped += 1
                    recorder.ignored(bytes, from: source, now: now, reason: "oversize")
                    continue
                }
                if sender.ignoresInbound(now: now) { recorder.ignored(bytes, from: source, now: now, reason: "offline"); continue }
                recorder.arriving(bytes, from: source, now: now)
                deliver(bytes, source)
                recorder.delivered(bytes, from: source, now: now)
            }
        } while received == batch.capacity
    }
}
