import Glibc
import NumbersProtocol

/// An output file written through one fixed buffer, for the per-datagram records of -trace and
/// -pcap: appending never allocates and never makes a system call; the buffer goes to the
/// kernel in one write(2) when full (every few thousand datagrams) and at `close`.
final class BufferedFile {
    /// Bytes buffered before a write: large enough that writes are rare, small enough to be cheap.
    static let capacity = 1 << 20
    /// The most one record may append (a trace line of an ACK with 128 ranges, a pcap record).
    static let maxRecord = 8 << 10

    let path: String
    private let descriptor: Int32
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: BufferedFile.capacity)
    private(set) var count = 0
    /// Set when a write failed; later records are discarded rather than half written.
    private(set) var failure: String?
    private var closed = false

    init(path: String) throws(InstrumentError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            // Every property is set, so deinit runs and frees the buffer.
            closed = true
            throw InstrumentError(message: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Makes room for a record of up to `maxRecord` bytes.
    @inline(__always) func reserve() {
        if count > Self.capacity - Self.maxRecord { flush() }
    }

    @inline(__always) func byte(_ b: UInt8) {
        buffer[count] = b
        count += 1
    }

    func bytes(_ raw: UnsafeRawBufferPointer) {
        let n = min(raw.count, Self.capacity - count)
        if n > 0 { UnsafeMutableRawPointer(buffer + count).copyMemory(from: raw.baseAddress!, byteCount: n) }
        count += n
    }

    func ascii(_ text: StaticString) {
        bytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    func text(_ string: String) {
        var copy = string
        copy.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// A decimal number, without allocating.
    func decimal(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 20 digits fit in 24 bytes
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[n] = UInt8(truncatingIfNeeded: v % 10) + 48
                v /= 10
                n += 1
            } while v > 0
            while n > 0 { n -= 1; byte(scratch[n]) }
        }
    }

    @inline(__always) func littleEndian32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes($0) }
    }

    @inline(__always) func bigEndian16(_ v: UInt16) {
        withUnsafeBytes(of: v.bigEndian) { bytes($0) }
    }

    func flush() {
        var offset = 0
        while offset < count, failure == nil {
            let written = write(descriptor, buffer + offset, count - offset)
            if written > 0 { offset += written; continue }
            if written < 0 && errno == EINTR { continue }
            failure = "writing \(path): \(String(cString: strerror(errno)))"
        }
        count = 0
    }

    func close() {
        guard !closed else { return }
        flush()
        closed = true
        _ = Glibc.close(descriptor)
    }
}

/// A -trace or -pcap file that cannot be written.
package struct InstrumentError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
