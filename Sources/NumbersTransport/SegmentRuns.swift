import Glibc
import NumbersProtocol

/// UDP segmentation offload (Linux's `UDP_SEGMENT`, 4.18 and later): consecutive datagrams of a
/// send batch that go to one destination and have one size (the last of a run may be shorter)
/// are handed to the kernel as one `sendmmsg` entry, a single buffer it cuts back into those
/// datagrams as late as it can: on loopback at the receiving socket, on a real interface in the
/// driver or the NIC. The stack is then walked once per run instead of once per datagram, which
/// is most of what a datagram costs on loopback. What arrives is the same datagrams; what a
/// packet filter, a qdisc or a capture on the sending host sees is one packet per run.
///
/// Preallocated for a batch's capacity, like the batch itself: building runs never allocates.
struct SegmentRuns {
    /// The kernel's bound on segments per send in every version that has `UDP_SEGMENT`.
    static let maxSegments = 64
    /// The largest UDP payload one IPv4 packet carries (65,535 − 20 − 8), the bound on a run's
    /// bytes; IPv6 allows 20 bytes more, which a run of 1,200-byte datagrams never needs.
    static let maxBytes = 65_507

    /// `SOL_UDP` and `UDP_SEGMENT` from <netinet/udp.h>, which Swift's Glibc does not export.
    static let udpLevel: Int32 = 17
    static let segmentOption: Int32 = 103

    /// Bytes of one control message carrying a 16-bit segment size: `CMSG_SPACE(2)`.
    static let controlSpace = alignedToWord(MemoryLayout<cmsghdr>.size) + alignedToWord(MemoryLayout<UInt16>.size)
    /// `CMSG_LEN(2)`: the header, aligned, then the value.
    static let controlLength = alignedToWord(MemoryLayout<cmsghdr>.size) + MemoryLayout<UInt16>.size

    let headers: UnsafeMutablePointer<MultiMessageHeader>
    /// Datagrams in each run, and the batch index of each run's first datagram.
    let lengths: UnsafeMutablePointer<Int>
    let starts: UnsafeMutablePointer<Int>
    private let control: UnsafeMutableRawPointer

    init(capacity: Int) {
        headers = .allocate(capacity: capacity)
        headers.initialize(repeating: MultiMessageHeader(header: msghdr(), length: 0), count: capacity)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        starts = .allocate(capacity: capacity)
        starts.initialize(repeating: 0, count: capacity)
        control = .allocate(byteCount: capacity * Self.controlSpace, alignment: MemoryLayout<cmsghdr>.alignment)
        control.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * Self.controlSpace)
    }

    func deallocate() {
        headers.deallocate()
        lengths.deallocate()
        starts.deallocate()
        control.deallocate()
    }

    /// Groups the `count` datagrams whose headers `prepareForSend` has written into runs, and
    /// returns how many runs there are. `sameDestination(i, j)` says whether datagrams i and j
    /// go to one place. An empty datagram always stands alone: as a run's last segment it would
    /// vanish.
    func build(count datagrams: Int, datagramHeaders: UnsafeMutablePointer<MultiMessageHeader>,
                        length: (Int) -> Int, sameDestination: (Int, Int) -> Bool) -> Int {
        var run = 0
        var first = 0
        while first < datagrams {
            let size = length(first)
            var segments = 1
            var bytes = size
            if size > 0 {
                while first + segments < datagrams, segments < Self.maxSegments {
                    let next = length(first + segments)
                    guard next > 0, next <= size, bytes + next <= Self.maxBytes,
                          sameDestination(first, first + segments) else { break }
                    segments += 1
                    bytes += next
                    if next < size { break }   // only the last segment may be shorter
                }
            }
            var header = datagramHeaders[first].header   // its address, iovec and name length
            header.msg_iovlen = segments
            header.msg_flags = 0
            if segments > 1 {
                let message = control + run * Self.controlSpace
                let cmsg = message.assumingMemoryBound(to: cmsghdr.self)
                cmsg.pointee.cmsg_len = Self.controlLength
                cmsg.pointee.cmsg_level = Self.udpLevel
                cmsg.pointee.cmsg_type = Self.segmentOption
                (message + Self.alignedToWord(MemoryLayout<cmsghdr>.size)).storeBytes(of: UInt16(size), as: UInt16.self)
                header.msg_control = message
                header.msg_controllen = Self.controlSpace
            } else {
                header.msg_control = nil
                header.msg_controllen = 0
            }
            headers[run] = MultiMessageHeader(header: header, length: 0)
            lengths[run] = segments
            starts[run] = first
            run += 1
            first += segments
        }
        assert(run > 0 || datagrams == 0)
        return run
    }

    private static func alignedToWord(_ bytes: Int) -> Int {
        let word = MemoryLayout<Int>.size
        return (bytes + word - 1) / word * word
    }
}
