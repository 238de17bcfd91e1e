/// Small replies the server owes (challenges, rejects): a fixed ring, so a flood of requests
/// costs at most `Limits.maxQueuedControl` entries; beyond that replies are dropped and counted.
struct ControlQueue {
    enum Reply {
        case challenge(ChallengeMessage)
        case reject(RejectMessage)
    }
    struct Item { var destination: PeerAddress; var reply: Reply }

    private var ring: [Item?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { ring = Array(repeating: nil, count: capacity) }

    mutating func push(_ item: Item) -> Bool {
        guard count < ring.count else { return false }
        ring[(head + count) % ring.count] = item
        count += 1
        return true
    }

    mutating func pop() -> Item? {
        guard count > 0 else { return nil }
        let item = ring[head]
        ring[head] = nil
        head = (head + 1) % ring.count
        count -= 1
        return item
    }
}
