/// Mints and checks address-validation tokens. A token is SipHash-2-4 under the server's secret
/// key of (address bytes, port, client ID, epoch), where the epoch is `now / period`: it proves that
/// whoever presents it received a datagram the server sent to that address for that client,
/// within the last one or two periods. Stateless: nothing is stored until an address is proven.
package struct AddressValidator: Sendable {
    package let key: SipHashKey
    package let period: Nanoseconds

    package init(key: SipHashKey, period: Nanoseconds = .seconds(60 as UInt64)) {
        precondition(period.value > 0)
        self.key = key; self.period = period
    }

    package func token(for address: PeerAddress, clientID: ClientID, now: Instant) -> UInt64 {
        token(for: address, clientID: clientID, epoch: now.nanoseconds / period.value)
    }

    /// Accepts tokens of the current and the previous epoch, so a token lives at least one period.
    package func isValid(_ token: UInt64, for address: PeerAddress, clientID: ClientID, now: Instant) -> Bool {
        guard token != 0 else { return false }
        let epoch = now.nanoseconds / period.value
        return token == self.token(for: address, clientID: clientID, epoch: epoch)
            || (epoch > 0 && token == self.token(for: address, clientID: clientID, epoch: epoch - 1))
    }

    func token(for address: PeerAddress, clientID: ClientID, epoch: UInt64) -> UInt64 {
        var input: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, clientID.high.bigEndian, clientID.low.bigEndian, epoch.bigEndian)
        let t = withUnsafeMutableBytes(of: &input) { raw -> UInt64 in
            address.withCanonicalBytes { addr in
                raw.copyMemory(from: addr)   // ≤ 18 bytes into the first 24, zero padded
            }
            return key.hash(UnsafeRawBufferPointer(raw))
        }
        return t == 0 ? 1 : t   // 0 means "no token" on the wire
    }
}
