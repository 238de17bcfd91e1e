import NumbersProtocol

/// Corruption: flips 1–3 distinct bits at random positions.
///
/// Distinct positions guarantee the bytes really change (two flips of one bit would cancel), and
/// at most three flipped bits in at most 1,200 bytes is always caught by the receiver's CRC-32C,
/// whose Hamming distance is at least 4 at that length.
enum BitFlip {
    /// Flips the bits in place and returns how many were flipped (0 only for an empty buffer).
    @discardableResult
    static func flip(_ bytes: UnsafeMutableRawBufferPointer, using rng: inout SplitMix64) -> Int {
        let bitCount = bytes.count * 8
        guard bitCount > 0 else { return 0 }
        let wanted = min(1 + Int(rng.next() % 3), bitCount)
        var chosen: (Int, Int, Int) = (-1, -1, -1)
        var count = 0
        while count < wanted {
            let bit = Int.random(in: 0..<bitCount, using: &rng)
            if bit == chosen.0 || bit == chosen.1 { continue }
            switch count {
            case 0: chosen.0 = bit
            case 1: chosen.1 = bit
            default: chosen.2 = bit
            }
            bytes[bit >> 3] ^= UInt8(1) << UInt8(bit & 7)
            count += 1
        }
        return count
    }
}
