import NumbersImpairment
import NumbersProtocol

/// The send path of either side: datagrams the engine produced go through the impairment model
/// (if any) into the socket's send batch, which is flushed with one sendmmsg when full.
final class ImpairedSender {
    let socket: UDPSocket
    let batch = SendBatch()
    // Touched per datagram by the owning loop's thread only (see ServerLoop.engine).
    @exclusivity(unchecked) private(set) var impairment: Impairment
    /// The model does nothing at all (and so never goes offline). Kept apart because reading
    /// even a `let` of `impairment` through this class copied the whole model, arrays and all,
    /// for every datagram received.
    private let isTransparent: Bool
    /// Where the engine encodes when the model may alter or hold a datagram.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.maxDatagramSize, alignment: 8)
    @exclusivity(unchecked) private(set) var socketDrops = 0
    /// -trace and -pcap, when on.
    var recorder: DatagramRecorder?

    init(socket: UDPSocket, impairment: Impairment) {
        self.socket = socket
        self.impairment = impairment
        self.isTransparent = impairment.isTransparent
    }

    deinit { scratch.deallocate() }

    /// Lets `produce` write one datagram (returning its length and destination, or nil when the
    /// engine has nothing); returns false when it had nothing.
    func send(now: Instant, _ produce: (UnsafeMutableRawBufferPointer) -> (Int, PeerAddress)?) -> Bool {
        if isTransparent {
            if batch.isFull { flush() }
            guard let buffer = batch.nextBuffer, let (length, destination) = produce(buffer) else { return false }
            batch.commit(length: length, to: destination)
            recorder?.sent(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), to: destination, now: now)
            return true
        }
        guard let (length, destination) = produce(scratch) else { return false }
        let offered = UnsafeRawBufferPointer(rebasing: scratch[0..<length])
        // What the model did is read from its counters, so the model itself knows nothing of tracing.
        let before = recorder == nil ? nil : impairment.counters
        impairment.offer(offered, to: destination, now: now) { bytes, to in
            self.enqueue(bytes, to: to, now: now)
        }
        if let recorder, let before {
            recorder.simulated(offered, to: destination, now: now, before: before, after: impairment.counters)
        }
        return true
    }

    /// Emits datagrams the model held back (delay, jitter, reordering) that are due.
    func releaseDue(now: Instant) {
        guard impairment.heldCount > 0 else { return }
        impairment.releaseDue(now: now) { bytes, to in self.enqueue(bytes, to: to, now: now) }
    }

    private func enqueue(_ bytes: UnsafeRawBufferPointer, to destination: PeerAddress, now: Instant) {
        recorder?.sent(bytes, to: destination, now: now)
        if batch.isFull { flush() }
        _ = batch.append(to: destination) { buffer in
            buffer.copyMemory(from: bytes)
            return bytes.count
        }
    }

    func flush() {
        guard !batch.isEmpty else { return }
        do {
            let outcome = try socket.send(batch)
            socketDrops += outcome.dropped
        } catch {
            socketDrops += batch.count
            batch.removeAll()
        }
    }

    /// Whether an arriving datagram must be ignored because this side is offline.
    func ignoresInbound(now: Instant) -> Bool {
        guard !isTransparent, impairment.isOffline(at: now) else { return false }
        impairment.noteInboundIgnored()
        return true
    }
}
