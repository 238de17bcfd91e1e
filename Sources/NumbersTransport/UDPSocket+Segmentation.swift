import Glibc

/// The states of `UDPSocket.segmentationState`; any other value is the errno of a refusal.
enum Segmentation {
    static let off: Int32 = -1
    static let on: Int32 = 0
}

extension UDPSocket {
    /// Sends runs of equal datagrams to one destination as one segmented send each
    /// (`SegmentRuns`) from now on, until the kernel refuses one.
    package func useSegmentation() {
        _ = segmentationState.compareExchange(expected: Segmentation.off, desired: Segmentation.on, ordering: .relaxed)
    }

    package var usesSegmentation: Bool { segmentationState.load(ordering: .relaxed) == Segmentation.on }

    /// errno of the segmented send the kernel refused (a device without checksum offload: EIO; a
    /// path whose MTU is below a segment: EINVAL), after which every datagram went alone; nil if none was.
    package var segmentationRefusal: Int32? {
        let state = segmentationState.load(ordering: .relaxed)
        return state > 0 ? state : nil
    }

    /// Sends of more than one datagram the kernel accepted, and the datagrams they carried.
    package var segmentedRuns: Int { segmentedRunCounter.load(ordering: .relaxed) }
    package var segmentedDatagrams: Int { segmentedDatagramCounter.load(ordering: .relaxed) }

    /// Errors with which a kernel without segmentation for this socket or route refuses a run.
    static func refusesSegmentation(_ code: Int32) -> Bool {
        code == EIO || code == EINVAL || code == EOPNOTSUPP || code == ENOPROTOOPT
    }

    func refuseSegmentation(_ code: Int32) {
        segmentationState.store(code, ordering: .relaxed)
    }
}
