/// Every bound in the protocol, named once. Each has a test at its edge.
public enum Limits {
    /// Largest UDP payload either side ever sends or accepts. Below the 1,280-byte IPv6 minimum MTU
    /// less headers, so no datagram is ever fragmented.
    public static let maxDatagramSize = 1_200
    /// Bytes of the per-datagram CRC-32C at the end of every datagram.
    public static let checksumSize = 4
    /// Largest count of numbers in one DATA datagram: (1200 − 20 header − 4 CRC) / 4.
    public static let maxNumbersPerDatagram = (maxDatagramSize - DataMessage.headerSize - checksumSize) / 4
    /// Most missing ranges one ACK may list.
    public static let maxAckRanges = 128
    /// Most requested ranges a server session queues for retransmission (2 KiB at most,
    /// allocated only once a session has losses to repair); the client asks again for what did
    /// not fit, so the bound loses nothing.
    public static let maxPendingRanges = 4_096
    /// Most ACKs a client sends back to back when it has more missing ranges to ask for than one
    /// ACK holds: together they fill the server's queue.
    public static let maxAckBurst = maxPendingRanges / maxAckRanges
    /// Largest window, in numbers, either side may use or advertise.
    public static let maxWindow: UInt32 = 1 << 20
    /// Smallest window: one full datagram, so the stream can always make progress.
    public static let minWindow: UInt32 = UInt32(maxNumbersPerDatagram)
    /// Largest n: the count is a uint32 on the wire.
    public static let maxCount: UInt32 = .max
    /// Replies the server may queue between two polls (challenges and rejects); beyond it
    /// they are dropped and counted, so a flood of requests cannot grow memory.
    public static let maxQueuedControl = 4_096
}
