/// The sessions this server completed lately, by client ID and process tag: a copy of an OPEN
/// (the client sends several, and the path may hold one back) that arrives after the DONE must
/// not create the transfer anew and stream a window to a client that has finished.
///
/// A ring of `capacity` entries beside a set, so a lookup is O(1) and the memory is bounded
/// (about 100 KB at the default); a copy delayed past thousands of later completions is beyond
/// any path's reordering.
struct RecentCompletions: Sendable {
    struct Key: Hashable, Sendable {
        var clientID: ClientID
        var tag: UInt32
    }
    static let capacity = 4_096
    private var members: Set<Key> = []
    private var order: [Key] = []
    private var next = 0

    mutating func insert(_ clientID: ClientID, tag: UInt32) {
        let key = Key(clientID: clientID, tag: tag)
        guard members.insert(key).inserted else { return }
        if order.count < Self.capacity {
            order.append(key)
        } else {
            members.remove(order[next])
            order[next] = key
            next = (next + 1) % Self.capacity
        }
        assert(members.count == order.count, "the set holds exactly the ring's keys")
    }

    func contains(_ clientID: ClientID, tag: UInt32) -> Bool { members.contains(Key(clientID: clientID, tag: tag)) }
    var count: Int { order.count }
}
