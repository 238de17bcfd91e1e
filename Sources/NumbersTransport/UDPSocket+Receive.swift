import Glibc

extension UDPSocket {
    /// Moves up to `batch.capacity` waiting datagrams into `batch` with one `recvmmsg` call and
    /// returns how many arrived; 0 when none is waiting. Never blocks and never allocates.
    /// Errors the kernel queues from ICMP (refused, unreachable) are counted as soft errors and
    /// skipped; only a broken socket throws.
    package func receive(into batch: ReceiveBatch) throws(SocketError) -> Int {
        // Each queued ICMP error costs one call; the bound keeps a flood of them from starving us.
        for _ in 0..<8 {
            batch.prepareForReceive()
            let received = LinuxOnlyCalls.recvmmsg(
                descriptor, UnsafeMutableRawPointer(batch.headers), UInt32(batch.capacity), Int32(MSG_DONTWAIT), nil)
            if received >= 0 {
                batch.count = Int(received)
                return Int(received)
            }
            let code = errno
            switch code {
            case EAGAIN, EWOULDBLOCK:
                return 0
            case EINTR:
                continue
            case _ where SoftErrors.isPerDatagram(code):
                recordSoftError(code)
                continue
            default:
                throw SocketError.system("recvmmsg \(localAddress)", errno: code)
            }
        }
        return 0
    }
}
