/// Where the server keeps its sessions. The engine reads and writes a session only through
/// these four operations, which is what lets a shared store serve several server processes:
///
/// - `insertIfAbsent` is create-if-absent (Redis `SET key value NX`): two servers racing to create
///   the same client's session agree on one seed.
/// - `update` is an atomic read-modify-write of one session (Redis `WATCH`/`MULTI` or a Lua script);
///   the closure may run again if the store retries.
/// - `remove` deletes (completion or expiry).
/// - Expiry: the engine removes a session once `lastHeard + sessionTTL` has passed; a shared store
///   should also carry a TTL on each key (refreshed by `update`) so sessions of a crashed server
///   disappear on their own.
public protocol SessionStore {
    var count: Int { get }
    func session(_ id: ClientID) -> ServerSession?
    /// Returns false (and changes nothing) if a session with that ID exists.
    mutating func insertIfAbsent(_ session: ServerSession) -> Bool
    /// Runs `body` on the stored session, if any, and stores the result.
    mutating func update<R>(_ id: ClientID, _ body: (inout ServerSession) -> R) -> R?
    @discardableResult
    mutating func remove(_ id: ClientID) -> ServerSession?
}

/// The sessions of one server process: the records side by side in one array, found through an
/// open-addressing index of 4-byte slots (linear probing, at most half full). Unlike a dictionary
/// of records, nothing is stored twice and no record-sized hole is left empty, so a session
/// costs its record plus 8–16 bytes of index.
public struct InMemorySessionStore: SessionStore, Sendable {
    private var records: [ServerSession] = []
    /// Positions in `records`, or `empty`; capacity a power of two.
    private var index: [Int32]
    private static let empty: Int32 = -1

    /// An empty store; `expectedSessions` sizes the index up front so that it never grows below it.
    public init(expectedSessions: Int = 0) {
        var capacity = 16
        while capacity < 2 * expectedSessions { capacity <<= 1 }
        index = Array(repeating: Self.empty, count: capacity)
        records.reserveCapacity(expectedSessions)
    }

    public var count: Int { records.count }

    /// Every session, in no particular order.
    public var allSessions: [ServerSession] { records }

    public func session(_ id: ClientID) -> ServerSession? {
        guard let (_, position) = find(id) else { return nil }
        return records[position]
    }

    public mutating func insertIfAbsent(_ session: ServerSession) -> Bool {
        guard find(session.clientID) == nil else { return false }
        if 2 * (records.count + 1) > index.count { rebuild(capacity: index.count * 2) }
        records.append(session)
        var bucket = home(of: session.clientID)
        while index[bucket] != Self.empty { bucket = (bucket + 1) & (index.count - 1) }
        index[bucket] = Int32(records.count - 1)
        return true
    }

    public mutating func update<R>(_ id: ClientID, _ body: (inout ServerSession) -> R) -> R? {
        guard let (_, position) = find(id) else { return nil }
        return body(&records[position])
    }

    @discardableResult
    public mutating func remove(_ id: ClientID) -> ServerSession? {
        guard let (bucket, position) = find(id) else { return nil }
        let removed = records[position]
        // Unlink first, while every entry still names its own record.
        deleteEntry(at: bucket)
        let last = records.count - 1
        if position != last {
            // Move the last record into the hole and repoint its index entry.
            let (movedBucket, _) = find(records[last].clientID)!
            index[movedBucket] = Int32(position)
            records[position] = records[last]
        }
        records.removeLast()
        if records.count > 64 && 8 * records.count < index.count { rebuild(capacity: index.count / 2) }
        return removed
    }

    // MARK: Index

    private func home(of id: ClientID) -> Int {
        // Hasher is randomly keyed per process, so clients cannot choose colliding IDs.
        id.hashValue & (index.count - 1)
    }

    /// The bucket holding `id` and the record's position.
    private func find(_ id: ClientID) -> (bucket: Int, position: Int)? {
        let mask = index.count - 1
        var bucket = home(of: id)
        while true {
            let entry = index[bucket]
            if entry == Self.empty { return nil }
            if records[Int(entry)].clientID == id { return (bucket, Int(entry)) }
            bucket = (bucket + 1) & mask
        }
    }

    /// Linear-probing deletion without tombstones: later entries of the same run shift back
    /// into the hole when their home lies at or before it.
    private mutating func deleteEntry(at start: Int) {
        let mask = index.count - 1
        var hole = start
        var next = (hole + 1) & mask
        while index[next] != Self.empty {
            let home = self.home(of: records[Int(index[next])].clientID)
            // Move the entry back if its home is not in the cyclic range (hole, next].
            let distanceToHole = (next - home) & mask
            let distanceToNext = (next - hole) & mask
            if distanceToHole >= distanceToNext {
                index[hole] = index[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        index[hole] = Self.empty
    }

    private mutating func rebuild(capacity: Int) {
        index = Array(repeating: Self.empty, count: max(16, capacity))
        let mask = index.count - 1
        for (position, record) in records.enumerated() {
            var bucket = record.clientID.hashValue & mask
            while index[bucket] != Self.empty { bucket = (bucket + 1) & mask }
            index[bucket] = Int32(position)
        }
    }
}
