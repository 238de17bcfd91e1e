import Testing
@testable import NumbersProtocol

/// What one session record costs, in bytes (MemoryLayout size; stride may add alignment). The
/// server's per-session budget (README, scale bench: at most 256 bytes a session with its index)
/// rests on it: a change to `ServerSession`'s fields must update this constant on purpose.
let pinnedSessionRecordSize = 166

@Suite("The session record's size is pinned")
struct SessionRecordSizeTests {
    @Test func recordSizeIsThePinnedOne() {
        #expect(MemoryLayout<ServerSession>.size == pinnedSessionRecordSize)
        #expect(MemoryLayout<ServerSession>.stride <= 256)
    }
}
