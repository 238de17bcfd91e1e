import Glibc

/// What segmentation offload (numbers-server -gso) did: whether the kernel has it, how many runs
/// it took as one send each and how many datagrams they carried, and how many runs it refused
/// for their destination or route (sent one by one instead).
package struct SegmentationReport: Sendable {
    package var requested: Bool
    /// errno with which the kernel refused the option itself (no `UDP_SEGMENT`): nothing was segmented.
    package var unavailable: Int32?
    package var runs: Int
    package var datagrams: Int
    package var refusedRuns: Int
    /// errno of the last refused run, 0 if none.
    package var lastRefusal: Int32

    package init(requested: Bool, unavailable: Int32?, runs: Int, datagrams: Int, refusedRuns: Int, lastRefusal: Int32) {
        self.requested = requested; self.unavailable = unavailable; self.runs = runs; self.datagrams = datagrams
        self.refusedRuns = refusedRuns; self.lastRefusal = lastRefusal
    }

    package var json: JSON {
        .object([("requested", .bool(requested)),
                 ("unavailable", unavailable.map { .string(Self.text($0)) } ?? .null),
                 ("runs", .int(runs)), ("datagrams", .int(datagrams)),
                 ("refusedRuns", .int(refusedRuns)),
                 ("lastRefusal", refusedRuns > 0 ? .string(Self.text(lastRefusal)) : .null)])
    }

    package var summary: String {
        if let unavailable { return "gso: unavailable (\(Self.text(unavailable))): every datagram went alone" }
        // Tenths without Foundation: the mean run, rounded.
        let tenths = runs > 0 ? (datagrams * 10 + runs / 2) / runs : 0
        let perRun = runs > 0 ? " (\(tenths / 10).\(tenths % 10) a run)" : ""
        let refused = refusedRuns > 0 ? "; \(refusedRuns) runs refused for their path (last: \(Self.text(lastRefusal))) went one by one" : ""
        return "gso: \(datagrams) datagrams left in \(runs) segmented sends\(perRun)\(refused)"
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
