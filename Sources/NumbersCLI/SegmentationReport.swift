import Glibc

/// What segmentation offload (numbers-server -gso) did: how many runs the kernel took as one
/// send each and how many datagrams they carried, and whether it refused one and why.
package struct SegmentationReport: Sendable {
    package var requested: Bool
    package var runs: Int
    package var datagrams: Int
    /// errno of the refused send after which every datagram went alone.
    package var refusal: Int32?

    package init(requested: Bool, runs: Int, datagrams: Int, refusal: Int32?) {
        self.requested = requested; self.runs = runs; self.datagrams = datagrams; self.refusal = refusal
    }

    package var json: JSON {
        .object([("requested", .bool(requested)), ("runs", .int(runs)), ("datagrams", .int(datagrams)),
                 ("refused", refusal.map { .string(String(cString: strerror($0))) } ?? .null)])
    }

    package var summary: String {
        // Tenths without Foundation: the mean run, rounded.
        let tenths = runs > 0 ? (datagrams * 10 + runs / 2) / runs : 0
        let perRun = runs > 0 ? " (\(tenths / 10).\(tenths % 10) a run)" : ""
        let refused = refusal.map { "; the kernel refused segmentation (\(String(cString: strerror($0)))), so the rest went one by one" } ?? ""
        return "gso: \(datagrams) datagrams left in \(runs) segmented sends\(perRun)\(refused)"
    }
}
