import Glibc

/// Which errno values mean "this datagram is lost" rather than "this socket is broken".
/// The protocol recovers from loss, so a server must not stop because one peer went away.
enum SoftErrors {
    static func isPerDatagram(_ code: Int32) -> Bool {
        switch code {
        // Descriptor or buffer misuse: a bug or a closed socket, never a network condition.
        case EBADF, ENOTSOCK, EFAULT, EOPNOTSUPP, EDESTADDRREQ:
            return false
        // Refused/unreachable (ICMP), no buffer space, bad or unroutable destination, firewall...
        default:
            return true
        }
    }
}
