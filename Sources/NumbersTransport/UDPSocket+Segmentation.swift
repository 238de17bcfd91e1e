import Glibc

/// The states of `UDPSocket.segmentationState`; any other value is the errno with which the
/// kernel refused the option (a kernel before 4.18), after which segmentation stays off.
enum Segmentation {
    static let off: Int32 = -1
    static let on: Int32 = 0
}

extension UDPSocket {
    /// Sends runs of equal datagrams to one destination as one segmented send each
    /// (`SegmentRuns`) from now on, if the kernel has `UDP_SEGMENT`. A kernel without it ignores
    /// the control message instead of refusing it and would send a run as one oversize
    /// datagram, so the option is probed first: setting a default segment size of 0 (none) is
    /// refused with ENOPROTOOPT there.
    package func useSegmentation() {
        guard segmentationState.load(ordering: .relaxed) == Segmentation.off else { return }
        var none: Int32 = 0   // the option takes an int, though a control message's size is 16 bits
        let probed = setsockopt(descriptor, SegmentRuns.udpLevel, SegmentRuns.segmentOption, &none, socklen_t(MemoryLayout<Int32>.size))
        segmentationState.store(probed == 0 ? Segmentation.on : errno, ordering: .relaxed)
    }

    package var usesSegmentation: Bool { segmentationState.load(ordering: .relaxed) == Segmentation.on }

    /// errno with which the kernel refused segmentation for this socket, which then sends every
    /// datagram alone; nil if it was never asked for or was granted.
    package var segmentationUnavailable: Int32? {
        let state = segmentationState.load(ordering: .relaxed)
        return state > 0 ? state : nil
    }

    /// Sends of more than one datagram the kernel accepted, and the datagrams they carried.
    package var segmentedRuns: Int { segmentedRunCounter.load(ordering: .relaxed) }
    package var segmentedDatagrams: Int { segmentedDatagramCounter.load(ordering: .relaxed) }
    /// Runs the kernel refused for their destination or route, which then went one by one, and
    /// the errno of the last refusal (0 if none).
    package var refusedRuns: Int { refusedRunCounter.load(ordering: .relaxed) }
    package var lastRunRefusal: Int32 { lastRunRefusalCode.load(ordering: .relaxed) }

    /// Errors with which the kernel refuses one segmented send for its destination or route: a
    /// path MTU below the segment size or no UDP checksum (EINVAL), an IPsec route (EIO), a device
    /// that cannot (EOPNOTSUPP). The run's datagrams then go alone.
    static func refusesRun(_ code: Int32) -> Bool {
        code == EINVAL || code == EIO || code == EOPNOTSUPP
    }

    func recordRunRefusal(_ code: Int32) {
        refusedRunCounter.add(1, ordering: .relaxed)
        lastRunRefusalCode.store(code, ordering: .relaxed)
    }
}
