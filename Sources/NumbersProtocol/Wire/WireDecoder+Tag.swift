extension WireDecoder {
    /// The tag field of a datagram (bytes 2..<6 in every message type), read without any other
    /// check, or nil when the datagram is too short to have one. For routing only: one socket
    /// shared by many clients hands each datagram to the engine whose tag it names, and that
    /// engine's `handle` validates everything, the tag included.
    public static func tag(of bytes: UnsafeRawBufferPointer) -> UInt32? {
        guard bytes.count >= 6 else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
    }
}
