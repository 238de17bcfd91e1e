import Testing
@testable import NumbersImpairment
import NumbersProtocol

@Suite struct CorruptionTests {
    @Test func flipsOneToThreeBitsAndCRCCatchesIt() {
        let h = Harness(ImpairmentConfig(corruptRate: 0.5, seed: 15))
        h.run(count: 4_000, spacing: .microseconds(10), size: 1_200)
        var flipsSeen = Set<Int>()
        var corrupted = 0
        for (i, e) in h.out.enumerated() {
            let original = Harness.datagram(id: UInt64(i + 1), size: 1_200)
            #expect(e.bytes.count == original.count)
            guard e.bytes != original else { continue }
            corrupted += 1
            let flips = zip(e.bytes, original).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
            flipsSeen.insert(flips)
            let received = e.bytes.withUnsafeBytes { CRC32C.checksum($0) }
            #expect(received != original.withUnsafeBytes { CRC32C.checksum($0) })
        }
        #expect(UInt64(corrupted) == h.impairment.counters.corrupted)
        #expect(flipsSeen == [1, 2, 3])
    }

    @Test func tinyAndEmptyDatagrams() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<1_000 {
            var byte: UInt8 = 0
            let flipped = withUnsafeMutableBytes(of: &byte) { BitFlip.flip($0, using: &rng) }
            #expect(flipped >= 1 && flipped <= 3 && byte.nonzeroBitCount == flipped)
        }
        let empty = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        #expect(BitFlip.flip(empty, using: &rng) == 0)
        // An empty datagram passes unchanged and is not counted as corrupted.
        var impairment = Impairment(ImpairmentConfig(corruptRate: 0.99))
        var emitted = 0
        for _ in 0..<100 {
            impairment.offer(UnsafeRawBufferPointer(start: nil, count: 0), to: PeerAddress(ipv4: (1, 1, 1, 1), port: 1),
                             now: .zero) { raw, _ in emitted += 1; #expect(raw.isEmpty) }
        }
        #expect(emitted == 100 && impairment.counters.corrupted == 0)
    }

    @Test func duplicateOfCorruptedIsIdentical() {
        // Corruption comes before duplication: both copies carry the same flipped bits.
        let h = Harness(ImpairmentConfig(duplicateRate: 0.5, corruptRate: 0.5, seed: 16))
        h.run(count: 2_000, spacing: .microseconds(10))
        var pairs = 0, corruptedPairs = 0
        for i in 1..<h.out.count where h.out[i].at == h.out[i - 1].at {
            #expect(h.out[i].bytes == h.out[i - 1].bytes)
            pairs += 1
            if h.out[i].bytes != Harness.datagram(id: h.out[i].id) { corruptedPairs += 1 }
        }
        #expect(UInt64(pairs) == h.impairment.counters.duplicated && corruptedPairs > 100)
    }
}
