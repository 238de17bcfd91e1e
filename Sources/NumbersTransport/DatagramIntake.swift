import NumbersProtocol

/// The receive half of either side's loop: drains the socket with recvmmsg, 64 datagrams a
/// call, and hands each datagram to the engine unless this side is offline.
final class DatagramIntake {
    private let socket: UDPSocket
    private let batch = ReceiveBatch()
    /// Truncated or larger than `Limits.maxDatagramSize`. Still handed to the engine, whose
    /// decoder drops and counts them as badSize like every other malformed datagram (a cut one
    /// arrives as a whole buffer, longer than any valid datagram, so it cannot pass for one).
    private(set) var oversizeDropped: UInt64 = 0
    /// -trace and -pcap, when on.
    var recorder: DatagramRecorder?

    init(socket: UDPSocket) {
        precondition(batch.bufferSize > Limits.maxDatagramSize, "a cut datagram must still look oversize to the decoder")
        self.socket = socket
    }

    /// Reads everything waiting; `deliver` gets the bytes (valid only during the call) and source.
    func drain(now: Instant, sender: ImpairedSender, deliver: (UnsafeRawBufferPointer, PeerAddress) -> Void) throws(SocketError) {
        var received = 0
        repeat {
            received = try socket.receive(into: batch)
            for i in 0..<received {
                guard let recorder else {
                    if !batch.isAcceptable(at: i) { oversizeDropped += 1 }
                    if sender.ignoresInbound(now: now) { continue }
                    deliver(batch.bytes(at: i), batch.source(at: i))
                    continue
                }
                let (bytes, source) = (batch.bytes(at: i), batch.source(at: i))
                if !batch.isAcceptable(at: i) { oversizeDropped += 1 }
                if sender.ignoresInbound(now: now) { recorder.ignored(bytes, from: source, now: now, reason: "offline"); continue }
                recorder.arriving(bytes, from: source, now: now)
                deliver(bytes, source)
                recorder.delivered(bytes, from: source, now: now)
            }
        } while received == batch.capacity
    }
}
