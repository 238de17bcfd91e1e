import Testing
@testable import NumbersProtocol

/// CRC-32C: the published check value, and the slicing-by-8 path against a bitwise reference.
@Suite struct CRC32CTests {
    private static let check = Array("123456789".utf8)

    @Test func checkValueOf123456789() {
        #expect(referenceCRC32C(Self.check) == 0xE306_9283)      // the reference itself is right
        #expect(CRC32C.checksum(Self.check) == 0xE306_9283)      // bytewise (Sequence) path
        Self.check.withUnsafeBytes { #expect(CRC32C.checksum($0) == 0xE306_9283) }   // slicing path
        var crc = CRC32C()
        for b in Self.check { crc.update(byte: b) }
        #expect(crc.value == 0xE306_9283)
    }

    @Test func emptyInputChecksToZero() {
        #expect(CRC32C().value == 0)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        [UInt8]().withUnsafeBytes { #expect(CRC32C.checksum($0) == 0) }
    }

    /// Lengths 0…100 cover the 8-byte loop, the byte tail and both together; offsets 0…7 make the
    /// 8-byte loads unaligned.
    @Test func slicingBy8MatchesBitwiseReferenceForLengths0To100() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for length in 0...100 {
            let storage = (0..<(length + 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for offset in 0..<8 {
                let bytes = Array(storage[offset..<(offset + length)])
                let expected = referenceCRC32C(bytes)
                storage.withUnsafeBytes { raw in
                    let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                    #expect(CRC32C.checksum(slice) == expected, "length \(length) offset \(offset)")
                }
                #expect(CRC32C.checksum(bytes) == expected, "bytewise, length \(length)")
            }
        }
    }

    /// Feeding in pieces (any split) gives the checksum of the whole: `value` does not disturb the
    /// running register.
    @Test func incrementalUpdatesEqualOneShot() {
        var rng = SplitMix64(seed: 42)
        let bytes = (0..<77).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let expected = referenceCRC32C(bytes)
        bytes.withUnsafeBytes { raw in
            for split in 0...bytes.count {
                var crc = CRC32C()
                crc.update(UnsafeRawBufferPointer(rebasing: raw[0..<split]))
                #expect(crc.value == referenceCRC32C(bytes[0..<split]))
                crc.update(UnsafeRawBufferPointer(rebasing: raw[split...]))
                #expect(crc.value == expected, "split at \(split)")
            }
        }
    }

    /// update(bigEndian:) is the same as feeding the word's 4 big-endian bytes, from any register
    /// state (here: after a random prefix of each length 0…15).
    @Test func updateBigEndianEqualsFeedingFourBytes() {
        var rng = SplitMix64(seed: 7)
        let words: [UInt32] = [0, 1, 0xFFFF_FFFF, 0x0102_0304, 0x8000_0000, 0xE220_A839]
            + (0..<50).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
        for prefixLength in 0..<16 {
            let prefix = (0..<prefixLength).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for word in words {
                var viaWord = CRC32C()
                var viaBytes = CRC32C()
                for b in prefix { viaWord.update(byte: b); viaBytes.update(byte: b) }
                viaWord.update(bigEndian: word)
                let be: [UInt8] = [UInt8(word >> 24), UInt8((word >> 16) & 0xff), UInt8((word >> 8) & 0xff), UInt8(word & 0xff)]
                for b in be { viaBytes.update(byte: b) }
                #expect(viaWord == viaBytes, "word \(word) prefix \(prefixLength)")
                #expect(viaWord.value == referenceCRC32C(prefix + be))
            }
        }
    }

    /// The three input paths (bytewise, slicing, words) agree on a long run of words.
    @Test func wordPathEqualsBufferPathOverManyWords() {
        var rng = SplitMix64(seed: 99)
        let words = (0..<300).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
        var viaWords = CRC32C()
        for w in words { viaWords.update(bigEndian: w) }
        let bytes = words.flatMap { w in [UInt8(w >> 24), UInt8((w >> 16) & 0xff), UInt8((w >> 8) & 0xff), UInt8(w & 0xff)] }
        #expect(viaWords.value == referenceCRC32C(bytes))
        bytes.withUnsafeBytes { #expect(CRC32C.checksum($0) == viaWords.value) }
    }
}
