import Foundation
import NumbersCRC32C
import Testing
@testable import NumbersProtocol

/// The hardware paths (crc32, carry-less multiply) against the portable tables, and the one-pass
/// folds against feeding the bytes twice. On a CPU without SSE4.2 both sides are the tables, so
/// the comparisons still check the folds and the shift.
@Suite struct CRC32CHardwareTests {
    private static func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// The runtime detection agrees with the kernel's view of the CPU.
    @Test func usesHardwareExactlyWhenTheCPUHasIt() throws {
        #if arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        #expect(CRC32C.usesHardware == (flags.contains("sse4_2") && flags.contains("pclmulqdq")))
        #else
        #expect(!CRC32C.usesHardware, "only the x86-64 instructions are implemented")
        #endif
    }

    /// Every length 0…64 at every start offset 0…7, from random registers.
    @Test func hardwareEqualsPortableForLengths0To64AtEveryOffset() {
        var rng = SplitMix64(seed: 0x5EED)
        let storage = Self.randomBytes(64 + 8, &rng)
        storage.withUnsafeBytes { raw in
            for length in 0...64 {
                for offset in 0..<8 {
                    let register = UInt32(truncatingIfNeeded: rng.next())
                    let p = raw.baseAddress! + offset
                    let fast = numbers_crc32c_update(register, p, length)
                    let portable = numbers_crc32c_update_portable(register, p, length)
                    #expect(fast == portable, "length \(length) offset \(offset)")
                }
                let bytes = Array(storage[0..<length])
                #expect(numbers_crc32c_update(0xFFFF_FFFF, raw.baseAddress!, length) ^ 0xFFFF_FFFF == referenceCRC32C(bytes))
            }
        }
    }

    /// Random lengths up to 4 KB, past the point where the hardware path splits the buffer into
    /// three interleaved streams, at random offsets.
    @Test func hardwareEqualsPortableOnRandomLongInputs() {
        var rng = SplitMix64(seed: 0xBEEF)
        for _ in 0..<300 {
            let length = Int(rng.next() % 4_096)
            let offset = Int(rng.next() % 8)
            let storage = Self.randomBytes(length + offset, &rng)
            let register = UInt32(truncatingIfNeeded: rng.next())
            storage.withUnsafeBytes { raw in
                let p = raw.baseAddress! + offset
                #expect(numbers_crc32c_update(register, p, length) == numbers_crc32c_update_portable(register, p, length),
                        "length \(length) offset \(offset)")
            }
        }
        for length in [383, 384, 385, 391, 392, 1_176, 1_188, 1_472] {
            let bytes = Self.randomBytes(length, &rng)
            bytes.withUnsafeBytes { #expect(CRC32C.checksum($0) == referenceCRC32C(bytes), "length \(length)") }
        }
    }

    /// shift(r, n) is feeding n zero bytes, on both paths, within the table and beyond it.
    @Test func shiftEqualsFeedingZeros() {
        var rng = SplitMix64(seed: 11)
        let zeros = [UInt8](repeating: 0, count: 5_000)
        zeros.withUnsafeBytes { raw in
            for length in Array(0...80) + [383, 1_176, 2_047, 2_048, 2_049, 4_999] {
                let register = UInt32(truncatingIfNeeded: rng.next())
                let fed = numbers_crc32c_update_portable(register, raw.baseAddress!, length)
                #expect(numbers_crc32c_shift(register, length) == fed, "length \(length)")
                #expect(numbers_crc32c_shift_portable(register, length) == fed, "portable, length \(length)")
            }
        }
    }

    /// The one-pass fold feeds both registers and sums the numbers, exactly as two separate
    /// passes and a loop would, on both paths, for every multiple of 4 up to 64 and misaligned.
    @Test func foldNumbersEqualsSeparatePasses() {
        var rng = SplitMix64(seed: 3)
        for words in Array(0...16) + [293, 294] {
            for offset in 0..<4 {
                let storage = Self.randomBytes(4 * words + offset, &rng)
                let first = UInt32(truncatingIfNeeded: rng.next()), second = UInt32(truncatingIfNeeded: rng.next())
                let base = rng.next() >> 8
                storage.withUnsafeBytes { raw in
                    let p = raw.baseAddress! + offset
                    let numbers = (0..<words).map { UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self)) }
                    let expectedSum = numbers.reduce(base) { $0 &+ UInt64($1) }
                    for fold in [numbers_crc32c_fold_numbers, numbers_crc32c_fold_numbers_portable] {
                        var a = first, b = second, sum = base
                        fold(&a, &b, &sum, p, 4 * words)
                        #expect(a == numbers_crc32c_update_portable(first, p, 4 * words), "words \(words) offset \(offset)")
                        #expect(b == numbers_crc32c_update_portable(second, p, 4 * words))
                        #expect(sum == expectedSum)
                    }
                }
            }
        }
    }

    /// A digest taken by the decoder joins a running sequence checksum exactly as feeding the
    /// numbers would, whatever the checksum held before.
    @Test func digestJoinsAnyRunningChecksum() {
        var rng = SplitMix64(seed: 21)
        for words in [1, 2, 7, 294] {
            var viaDigest = SequenceChecksum(), viaNumbers = SequenceChecksum()
            for _ in 0..<Int(rng.next() % 50) { let x = UInt32(truncatingIfNeeded: rng.next()); viaDigest.add(x); viaNumbers.add(x) }
            let header = Self.randomBytes(DataMessage.headerSize, &rng)
            let numbers = Self.randomBytes(4 * words, &rng)
            header.withUnsafeBytes { h in
                numbers.withUnsafeBytes { n in
                    let (register, digest) = CRC32C.register(header: h, numbers: n)
                    #expect(register ^ 0xFFFF_FFFF == referenceCRC32C(header + numbers))
                    viaDigest.add(digest)
                    viaNumbers.add(bigEndianNumbers: n)
                }
            }
            #expect(viaDigest == viaNumbers, "words \(words)")
        }
    }
}
