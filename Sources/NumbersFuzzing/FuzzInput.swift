import NumbersProtocol

/// Reads a fuzz input as a stream of small fields. Past the end every read returns zeros, so any
/// byte string is a complete program; `isEmpty` ends the program loop.
package struct FuzzInput {
    package let bytes: UnsafeRawBufferPointer
    package private(set) var offset = 0

    package init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    package var isEmpty: Bool { offset >= bytes.count }
    package var remaining: Int { max(bytes.count - offset, 0) }

    package mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Little-endian, so that a short tail still reads as a small value.
    package mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    package mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    package mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }

    /// Up to `count` bytes (fewer at the end of the input).
    package mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = min(max(count, 0), remaining)
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }
}

/// The inverse of `FuzzInput`, used to write seed programs.
package struct FuzzProgram {
    package private(set) var bytes: [UInt8] = []
    package init() {}
    package mutating func u8(_ v: UInt8) { bytes.append(v) }
    package mutating func u16(_ v: UInt16) { u8(UInt8(truncatingIfNeeded: v)); u8(UInt8(truncatingIfNeeded: v >> 8)) }
    package mutating func u32(_ v: UInt32) { u16(UInt16(truncatingIfNeeded: v)); u16(UInt16(truncatingIfNeeded: v >> 16)) }
    package mutating func u64(_ v: UInt64) { u32(UInt32(truncatingIfNeeded: v)); u32(UInt32(truncatingIfNeeded: v >> 32)) }
    package mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }
}

/// Encodes a message into a fresh array (the fuzz targets and the corpus tool only).
func encoded(_ body: (UnsafeMutableRawBufferPointer) -> Int) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
    let n = buffer.withUnsafeMutableBytes { body($0) }
    return Array(buffer[0..<n])
}

/// Rewrites the last four bytes as the CRC-32C of the rest, so a mutated datagram gets past the
/// checksum and reaches the field checks.
func fixChecksum(_ datagram: inout [UInt8]) {
    guard datagram.count >= 4 else { return }
    let n = datagram.count
    let crc = datagram.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(n - 4)])) }
    datagram[n - 4] = UInt8(truncatingIfNeeded: crc >> 24)
    datagram[n - 3] = UInt8(truncatingIfNeeded: crc >> 16)
    datagram[n - 2] = UInt8(truncatingIfNeeded: crc >> 8)
    datagram[n - 1] = UInt8(truncatingIfNeeded: crc)
}

/// A `precondition` whose message survives optimisation (the fuzz binaries are built with -O,
/// where `precondition` drops its message): a violated invariant is reported, then traps.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "",
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { violated(message(), file: file, line: line) }
}

func violated(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz invariant violated: \(message)", file: file, line: line)
}
