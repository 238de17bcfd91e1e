import Glibc
import NumbersProtocol

extension PeerAddress {
    /// Every address `host` names, in the resolver's order of preference (never empty).
    /// Accepts numeric forms ("127.0.0.1", "::1", "[::1]", "0.0.0.0", "::") and names ("localhost").
    /// Setup-time only: it allocates and may block on the resolver.
    package static func resolving(host: String, port: UInt16) throws(SocketError) -> [PeerAddress] {
        // "[::1]" is how IPv6 hosts are written next to a port; the resolver wants it bare.
        var name = Substring(host)
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(String(name), String(port), &hints, &list)
        guard status == 0 else {
            let operation = "resolve \(host)"
            if status == EAI_SYSTEM { throw SocketError.system(operation) }
            throw SocketError(operation: operation, code: 0,
                              message: SocketError.lowercasedFirst(String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }

        var found: [PeerAddress] = []
        var entry = list
        while let current = entry {
            if let raw = current.pointee.ai_addr {
                var storage = sockaddr_storage()
                let length = min(Int(current.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: length)) }
                if let address = PeerAddress(socketAddress: &storage), !found.contains(address) {
                    found.append(address)
                }
            }
            entry = current.pointee.ai_next
        }
        guard !found.isEmpty else {
            throw SocketError(operation: "resolve \(host)", code: 0, message: "no IPv4 or IPv6 address")
        }
        return found
    }
}
