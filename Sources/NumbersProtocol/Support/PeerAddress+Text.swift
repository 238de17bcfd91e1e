/// The printed form of an endpoint: `a.b.c.d:port` for IPv4 and, for IPv6, the canonical text of
/// RFC 5952 in brackets (`[::1]:9301`, `[2001:db8::1]:443`, `[::ffff:192.0.2.1]:80`), so that
/// what the executables print can be pasted back into `-host` and compared as text.
extension PeerAddress {
    public var description: String {
        switch family {
        case .ipv4: return "\(Self.dottedQuad(ipv4Value)):\(port)"
        case .ipv6: return "[\(ipv6Text)]:\(port)"
        }
    }

    /// The address alone, without port or brackets.
    public var hostText: String {
        family == .ipv4 ? Self.dottedQuad(ipv4Value) : ipv6Text
    }

    private static func dottedQuad(_ v: UInt32) -> String {
        "\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
    }

    private var ipv6Text: String {
        // RFC 5952 §5: an IPv4-mapped address keeps its IPv4 part in dotted form.
        if high == 0 && low >> 32 == 0xffff {
            return "::ffff:" + Self.dottedQuad(UInt32(truncatingIfNeeded: low))
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            groups[i] = UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))
            groups[4 + i] = UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))
        }
        // §4.2: the longest run of two or more zero groups becomes "::"; the first one on a tie.
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        // §4.3: lowercase hexadecimal without leading zeros.
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestLength >= 2 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
