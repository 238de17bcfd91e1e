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

/// The sessions of one server process, in a hash table.
public struct InMemorySessionStore: SessionStore, Sendable {
    private var sessions: [ClientID: ServerSession] = [:]

    public init(expectedSessions: Int = 0) { sessions.reserveCapacity(expectedSessions) }

    public var count: Int { sessions.count }

    public func session(_ id: ClientID) -> ServerSession? { sessions[id] }

    public mutating func insertIfAbsent(_ session: ServerSession) -> Bool {
        guard sessions[session.clientID] == nil else { return false }
        sessions[session.clientID] = session
        return true
    }

    public mutating func update<R>(_ id: ClientID, _ body: (inout ServerSession) -> R) -> R? {
        guard sessions[id] != nil else { return nil }
        return body(&sessions[id]!)
    }

    @discardableResult
    public mutating func remove(_ id: ClientID) -> ServerSession? { sessions.removeValue(forKey: id) }

    public var allSessions: Dictionary<ClientID, ServerSession>.Values { sessions.values }
}
