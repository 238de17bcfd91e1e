/// A client's identity: 16 bytes, written as a UUID. A fresh one is a version-4 UUID (122 random
/// bits), and it is the client's bearer secret: whoever presents it controls the session.
public struct ClientID: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// A random version-4, variant-1 UUID.
    public static func random<G: RandomNumberGenerator>(using rng: inout G) -> ClientID {
        let h = rng.next(), l = rng.next()
        return ClientID(high: (h & ~0xF000) | 0x4000, low: (l & ~(0xC << 60)) | (0x8 << 60))
    }

    /// A random version-4 UUID from the system's secure generator: use this one for real clients.
    public static func random() -> ClientID {
        var rng = SystemRandomNumberGenerator()
        return random(using: &rng)
    }

    /// Parses the canonical 8-4-4-4-12 hexadecimal form, either case.
    public init?(_ text: String) {
        let hex = Array(text.utf8)
        guard hex.count == 36 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        var nibbles = 0
        for (i, c) in hex.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if nibbles < 16 { words.0 = words.0 << 4 | UInt64(v) } else { words.1 = words.1 << 4 | UInt64(v) }
            nibbles += 1
        }
        self.init(high: words.0, low: words.1)
    }

    public var description: String {
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: digits - s.count) + s
        }
        return "\(hex(high >> 32, 8))-\(hex((high >> 16) & 0xffff, 4))-\(hex(high & 0xffff, 4))-\(hex(low >> 48, 4))-\(hex(low & 0xffff_ffff_ffff, 12))"
    }
}
