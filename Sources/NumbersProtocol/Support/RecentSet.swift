/// The last `capacity` distinct keys inserted: a ring beside a set, so a lookup is O(1) and the
/// memory is bounded. The server remembers its recent completions in one, so that the copies a
/// client sends (a second DONE, an OPEN the path held back) find the transfer finished.
struct RecentSet<Key: Hashable & Sendable>: Sendable {
    let capacity: Int
    private var members: Set<Key> = []
    private var order: [Key] = []
    private var next = 0

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    mutating func insert(_ key: Key) {
        guard members.insert(key).inserted else { return }
        if order.count < capacity {
            order.append(key)
        } else {
            members.remove(order[next])
            order[next] = key
            next = (next + 1) % capacity
        }
        assert(members.count == order.count, "the set holds exactly the ring's keys")
    }

    func contains(_ key: Key) -> Bool { members.contains(key) }
    var count: Int { order.count }
}

/// A finished transfer: which client, and which of its processes (the tag).
struct CompletedTransfer: Hashable, Sendable {
    var clientID: ClientID
    var tag: UInt32
}

extension RecentSet where Key == CompletedTransfer {
    /// A copy delayed past thousands of later completions is beyond any path's reordering
    /// (about 100 KB of memory).
    static func completions() -> Self { RecentSet(capacity: 4_096) }
}
