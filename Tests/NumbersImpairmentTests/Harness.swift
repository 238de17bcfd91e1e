import NumbersImpairment
import NumbersProtocol

/// One emitted copy as the network saw it.
struct Emitted: Equatable {
    var id: UInt64
    var at: Instant
    var bytes: [UInt8]
    var destination: PeerAddress
}

/// Drives one Impairment like a shell does and records every emitted copy. A class so the emit
/// closures can append to `out` while `impairment` is being mutated (distinct properties).
final class Harness {
    var impairment: Impairment
    var out: [Emitted] = []
    /// Off for the large statistical runs: ids and times are enough there, and far cheaper.
    var keepBytes: Bool
    let destination = PeerAddress(ipv4: (10, 0, 0, 2), port: 9000)

    init(_ config: ImpairmentConfig, keepBytes: Bool = true) {
        impairment = Impairment(config)
        self.keepBytes = keepBytes
    }

    /// A datagram of `size` ≥ 8 bytes: the id big-endian, then a pattern derived from it.
    static func datagram(id: UInt64, size: Int = 32) -> [UInt8] {
        let size = max(size, 8)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            fill(UnsafeMutableRawBufferPointer(buffer), id: id)
            count = size
        }
    }

    /// Written with plain loops: these run millions of times in unoptimised test builds.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer, id: UInt64) {
        var i = 0
        while i < 8 { buffer[i] = UInt8(truncatingIfNeeded: id >> UInt64(56 - 8 * i)); i += 1 }
        while i < buffer.count { buffer[i] = UInt8(truncatingIfNeeded: id &* 31 &+ UInt64(i)); i += 1 }
    }

    static func id(of bytes: [UInt8]) -> UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Reused for every offer, so that offering does not allocate.
    private var scratch = [UInt8](repeating: 0, count: 2_048)

    func offer(id: UInt64, at now: Instant, size: Int = 32) {
        scratch.withUnsafeMutableBytes { whole in
            let raw = UnsafeMutableRawBufferPointer(rebasing: whole[0..<max(size, 8)])
            Self.fill(raw, id: id)
            impairment.offer(UnsafeRawBufferPointer(raw), to: destination, now: now) { self.record($0, $1, now) }
        }
    }

    func release(at now: Instant) {
        impairment.releaseDue(now: now) { self.record($0, $1, now) }
    }

    /// Releases at each successive deadline until nothing is held, as an event loop would.
    func drain() {
        while let deadline = impairment.nextDeadline { release(at: deadline) }
    }

    /// Offers ids 1...count, `spacing` apart from time zero, releasing due copies before each
    /// offer at the exact deadlines (an ideal event loop), then drains.
    func run(count: UInt64, spacing: Nanoseconds, size: Int = 32) {
        for id in 1...count {
            let now = Instant.zero + spacing * (id - 1)
            while let deadline = impairment.nextDeadline, deadline <= now { release(at: deadline) }
            offer(id: id, at: now, size: size)
        }
        drain()
    }

    private func record(_ raw: UnsafeRawBufferPointer, _ to: PeerAddress, _ now: Instant) {
        var id: UInt64 = 0
        for i in 0..<min(8, raw.count) { id = id << 8 | UInt64(raw[i]) }
        out.append(Emitted(id: id, at: now, bytes: keepBytes ? Array(raw) : [], destination: to))
    }
}

/// Binomial acceptance: |observed − n·p| ≤ sigmas·√(n·p·(1−p)).
func withinBinomial(_ observed: UInt64, trials: UInt64, p: Double, sigmas: Double = 5) -> Bool {
    let n = Double(trials)
    let sd = (n * p * (1 - p)).squareRoot()
    return abs(Double(observed) - n * p) <= sigmas * sd
}

extension Instant {
    static func ms(_ ms: UInt64) -> Instant { .zero + .milliseconds(ms) }
    static func us(_ us: UInt64) -> Instant { .zero + .microseconds(us) }
}
