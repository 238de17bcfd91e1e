import Foundation
import NumbersSplitMix
import Testing
@testable import NumbersProtocol

// Test vectors for PROTOCOL.md (computed independently: a Python SplitMix64 and a bitwise CRC-32C,
// and the re-implementation below; all three agree):
//
//   SplitMix64, seed 0, first output:        0xE220A8397B1DCDAF  -> number(at: 0) = 0xE220A839
//
//   seed 0x0000000000000000, numbers 0...4:  0xE220A839 0x6E789E6A 0x06C45D18 0xF88BB8A8 0x1B39896A
//     (full SplitMix64 outputs: E220A8397B1DCDAF 6E789E6AA1B965F4 06C45D188009454F
//                               F88BB8A8724C81EC 1B39896A51A8749B)
//     number(at: 4_294_967_294) = 0xFBD912D2, number(at: 4_294_967_295) = 0xBEEB67EA
//     n = 1:    CRC-32C 0x696A593F  sum 3_793_791_033      (0xE220A839)
//     n = 5:    CRC-32C 0xA2B06A2A  sum 10_387_383_757     (0x26B22E5CD)
//     n = 10:   CRC-32C 0x402918A2  sum 20_997_927_917     (0x4E392F3ED)
//     n = 1000: CRC-32C 0xA19806D5  sum 2_115_044_550_853  (0x1EC727AA8C5)
//
//   seed 0x0123456789ABCDEF, numbers 0...4:  0x157A3807 0xD573529B 0x2F90B72E 0xA2D41933 0x01404CE9
//     (full SplitMix64 outputs: 157A3807A48FAA9D D573529B34A1D093 2F90B72E996DCCBE
//                               A2D419334C4667EC 01404CE914938008)
//     number(at: 4_294_967_294) = 0x2955D2A0, number(at: 4_294_967_295) = 0x4061D376
//     n = 1:    CRC-32C 0x2F49BEEE  sum 360_331_271        (0x157A3807)
//     n = 5:    CRC-32C 0x0A95795C  sum 7_492_249_580      (0x1BE92A7EC)
//     n = 10:   CRC-32C 0xB1A56672  sum 18_077_604_442     (0x435825A5A)
//     n = 1000: CRC-32C 0x0A5C3788  sum 2_104_677_012_389  (0x1EA088693A5)
//
// The sequence CRC is CRC-32C over the numbers as big-endian uint32s; the sum is their 64-bit sum.

/// An independent SplitMix64 (Steele, Lea & Flood 2014), written from the published algorithm.
private struct ReferenceSplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Number i computed by stepping a reference generator i + 1 times (only for small i).
private func referenceNumbers(seed: UInt64, count: Int) -> [UInt32] {
    var g = ReferenceSplitMix64(state: seed)
    return (0..<count).map { _ in UInt32(g.next() >> 32) }
}

/// Big-endian bytes of the words, for the reference CRC.
private func bigEndianBytes(_ words: [UInt32]) -> [UInt8] {
    words.flatMap { w in [UInt8(w >> 24), UInt8((w >> 16) & 0xff), UInt8((w >> 8) & 0xff), UInt8(w & 0xff)] }
}

@Suite struct GeneratorTests {
    @Test func firstNumberOfSeedZeroIsTopOfFirstSplitMixOutput() {
        var reference = ReferenceSplitMix64(state: 0)
        #expect(reference.next() == 0xE220_A839_7B1D_CDAF)
        var engine = SplitMix64(seed: 0)
        #expect(engine.next() == 0xE220_A839_7B1D_CDAF)
        #expect(SequenceGenerator(seed: 0).number(at: 0) == 0xE220_A839)
    }

    @Test func firstFiveNumbersOfSeedZero() {
        let expected: [UInt32] = [0xE220_A839, 0x6E78_9E6A, 0x06C4_5D18, 0xF88B_B8A8, 0x1B39_896A]
        #expect(referenceNumbers(seed: 0, count: 5) == expected)
        #expect(sequenceNumbers(SequenceGenerator(seed: 0), 0..<5) == expected)
    }

    @Test func firstFiveNumbersOfSeed0123456789ABCDEF() {
        let seed: UInt64 = 0x0123_4567_89AB_CDEF
        let expected: [UInt32] = [0x157A_3807, 0xD573_529B, 0x2F90_B72E, 0xA2D4_1933, 0x0140_4CE9]
        #expect(referenceNumbers(seed: seed, count: 5) == expected)
        #expect(sequenceNumbers(SequenceGenerator(seed: seed), 0..<5) == expected)
    }

    /// Number i equals the (i+1)-th output of the stepped generator, for the first thousand and for
    /// several seeds, including ones that make seed + k·γ wrap.
    @Test(arguments: [UInt64(0), 1, 0x0123_4567_89AB_CDEF, .max, 0x9E37_79B9_7F4A_7C15, 0x61C8_8646_80B5_83EB])
    func randomAccessEqualsSteppedGenerator(seed: UInt64) {
        let g = SequenceGenerator(seed: seed)
        #expect(sequenceNumbers(g, 0..<1000) == referenceNumbers(seed: seed, count: 1000))
    }

    /// The stepped bulk writer equals random access, from any start, up to the last index.
    @Test(arguments: [UInt64(0), .max, 0x0123_4567_89AB_CDEF])
    func writeBigEndianEqualsRandomAccess(seed: UInt64) {
        let g = SequenceGenerator(seed: seed)
        for (start, count) in [(UInt32(0), 294), (17, 1), (1_000_003, 100), (UInt32.max - 40, 41)] {
            var bytes = [UInt8](repeating: 0, count: 4 * count)
            bytes.withUnsafeMutableBytes { g.writeBigEndian(from: start, count: count, into: $0.baseAddress!) }
            let expected = (0..<count).map { g.number(at: start + UInt32($0)) }
            #expect(bytes == bigEndianBytes(expected), "start \(start) count \(count)")
        }
    }

    /// The AVX2 writer (where the CPU has it) and the plain one agree with random access for every
    /// length up to three vector steps and beyond, at every alignment of the output, and where
    /// seed + k·γ wraps.
    @Test(arguments: [UInt64(0), .max, 0x0123_4567_89AB_CDEF, 0x9E37_79B9_7F4A_7C15])
    func vectorAndPlainWritersAgree(seed: UInt64) {
        let g = SequenceGenerator(seed: seed)
        for start in [UInt32(0), 5, 4_000_000_001, UInt32.max - 63] {
            for count in 0...70 where UInt64(start) + UInt64(count) <= UInt64(UInt32.max) + 1 {
                let expected = bigEndianBytes((0..<count).map { g.number(at: start + UInt32($0)) })
                for misalignment in [0, 1, 3] {
                    var fast = [UInt8](repeating: 0xA5, count: 4 * count + misalignment + 4)
                    var plain = fast
                    fast.withUnsafeMutableBytes { numbers_splitmix_write_big_endian(seed, start, count, $0.baseAddress! + misalignment) }
                    plain.withUnsafeMutableBytes { numbers_splitmix_write_big_endian_portable(seed, start, count, $0.baseAddress! + misalignment) }
                    #expect(Array(fast[misalignment..<misalignment + 4 * count]) == expected, "start \(start) count \(count)")
                    #expect(fast == plain, "start \(start) count \(count) misalignment \(misalignment)")
                    #expect(fast.suffix(4) == [0xA5, 0xA5, 0xA5, 0xA5], "nothing written past the end")
                }
            }
        }
    }

    @Test("the vector writer is in use where the CPU has AVX2")
    func vectorPathInUse() {
        #if os(Linux) && arch(x86_64)
        let cpuHasAVX2 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx2") ?? false
        #expect((numbers_splitmix_uses_avx2() == 1) == cpuHasAVX2)
        #elseif !arch(x86_64)
        #expect(numbers_splitmix_uses_avx2() == 0)
        #endif
    }

    /// A pure function: any index, in any order, any number of times, from any copy.
    @Test func pureFunctionWithRandomAccessAtTheTopOfTheRange() {
        let a = SequenceGenerator(seed: 0), b = SequenceGenerator(seed: 0)
        #expect(a.number(at: 4_294_967_294) == 0xFBD9_12D2)
        #expect(a.number(at: 4_294_967_295) == 0xBEEB_67EA)
        #expect(b.number(at: 4_294_967_294) == 0xFBD9_12D2)
        #expect(a.number(at: 4_294_967_294) == 0xFBD9_12D2)   // asked again: unchanged
        let c = SequenceGenerator(seed: 0x0123_4567_89AB_CDEF)
        #expect(c.number(at: 4_294_967_294) == 0x2955_D2A0)
        #expect(c.number(at: 4_294_967_295) == 0x4061_D376)
        // Backwards equals forwards.
        let forwards = sequenceNumbers(c, 0..<64)
        let backwards = (0..<UInt32(64)).reversed().map { c.number(at: $0) }
        #expect(Array(backwards.reversed()) == forwards)
        // The seed matters.
        #expect(SequenceGenerator(seed: 1).number(at: 0) != a.number(at: 0))
    }

    @Test func checksumVectors() {
        let vectors: [(seed: UInt64, n: UInt32, crc: UInt32, sum: UInt64)] = [
            (0, 1, 0x696A_593F, 3_793_791_033),
            (0, 5, 0xA2B0_6A2A, 10_387_383_757),
            (0, 10, 0x4029_18A2, 20_997_927_917),
            (0, 1000, 0xA198_06D5, 2_115_044_550_853),
            (0x0123_4567_89AB_CDEF, 1, 0x2F49_BEEE, 360_331_271),
            (0x0123_4567_89AB_CDEF, 5, 0x0A95_795C, 7_492_249_580),
            (0x0123_4567_89AB_CDEF, 10, 0xB1A5_6672, 18_077_604_442),
            (0x0123_4567_89AB_CDEF, 1000, 0x0A5C_3788, 2_104_677_012_389),
        ]
        for v in vectors {
            let c = SequenceChecksum.of(SequenceGenerator(seed: v.seed), count: v.n)
            #expect(c.crcValue == v.crc, "seed \(v.seed) n \(v.n)")
            #expect(c.sum == v.sum, "seed \(v.seed) n \(v.n)")
            #expect(c.count == v.n)
        }
        let empty = SequenceChecksum.of(SequenceGenerator(seed: 0), count: 0)
        #expect(empty.crcValue == 0 && empty.sum == 0 && empty.count == 0)
    }

    /// `of` is exactly the CRC over the big-endian bytes and the 64-bit sum, for n = 0…40.
    @Test func checksumOfSmallNEqualsReferenceCRCAndSum() {
        for seed: UInt64 in [0, 0x0123_4567_89AB_CDEF, 12345] {
            let g = SequenceGenerator(seed: seed)
            for n in UInt32(0)...40 {
                let words = referenceNumbers(seed: seed, count: Int(n))
                let c = SequenceChecksum.of(g, count: n)
                #expect(c.crcValue == referenceCRC32C(bigEndianBytes(words)), "seed \(seed) n \(n)")
                #expect(c.sum == words.reduce(UInt64(0)) { $0 + UInt64($1) })
                #expect(c.count == n)
            }
        }
    }

    /// The sum cannot overflow: n maximal numbers (here, many 0xFFFFFFFF) add exactly.
    @Test func sumOfMaximalNumbersIsExact() {
        var c = SequenceChecksum()
        for _ in 0..<1000 { c.add(.max) }
        #expect(c.sum == 1000 * UInt64(UInt32.max))
        #expect(c.count == 1000)
    }

    /// Folding big-endian bytes (as laid out in DATA) equals adding the numbers one by one, whatever
    /// the split into chunks.
    @Test func addBigEndianNumbersEqualsAddingOneByOne() {
        let g = SequenceGenerator(seed: 0xABCDEF)
        let words = sequenceNumbers(g, 0..<300)
        let bytes = bigEndianBytes(words)
        var oneByOne = SequenceChecksum()
        for w in words { oneByOne.add(w) }
        #expect(oneByOne == SequenceChecksum.of(g, count: 300))

        for chunk in [1, 2, 3, 7, 64, 294, 300] {
            var viaBytes = SequenceChecksum()
            bytes.withUnsafeBytes { raw in
                var start = 0
                while start < words.count {
                    let end = min(start + chunk, words.count)
                    viaBytes.add(bigEndianNumbers: UnsafeRawBufferPointer(rebasing: raw[(4 * start)..<(4 * end)]))
                    start = end
                }
            }
            #expect(viaBytes == oneByOne, "chunk \(chunk)")
            #expect(viaBytes.crcValue == oneByOne.crcValue && viaBytes.sum == oneByOne.sum && viaBytes.count == 300)
        }
        // An empty slice changes nothing.
        var c = oneByOne
        [UInt8]().withUnsafeBytes { c.add(bigEndianNumbers: $0) }
        #expect(c == oneByOne)
    }
}
