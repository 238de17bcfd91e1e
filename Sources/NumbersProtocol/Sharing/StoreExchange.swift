/// What the engine asks of a shared store. The engine never waits for one: it queues requests
/// (`ServerEngine.pollStoreRequest`) and goes on serving; whoever talks to the store hands the
/// answers back with `ServerEngine.storeAnswered`.
package enum StoreRequest: Sendable, Equatable {
    /// Create-if-absent: store this checkpoint unless one exists for its client ID, and answer
    /// `.created` with the one that exists, if any.
    case create(SessionCheckpoint)
    /// Overwrite the checkpoint (and push its expiry back): the session made progress.
    case refresh(SessionCheckpoint)
    /// Look a session up: a datagram arrived for a session this process does not hold.
    case lookup(ClientID)
    /// The session completed.
    case delete(ClientID)
    /// Delete only if the stored checkpoint is still exactly this one (read earlier): a server
    /// that does not hold the session must not delete a checkpoint another has rewritten since.
    case deleteIfUnchanged(SessionCheckpoint)

    package var clientID: ClientID {
        switch self {
        case .create(let c), .refresh(let c), .deleteIfUnchanged(let c): return c.clientID
        case .lookup(let id), .delete(let id): return id
        }
    }
}

/// The store's answer to a `.create` or `.lookup`.
package enum StoreAnswer: Sendable, Equatable {
    /// `.create` done: `existing` is nil when this engine's checkpoint was stored, else the one
    /// that was there first (another server won the race, and its seed is the session's).
    case created(ClientID, existing: SessionCheckpoint?)
    /// `.lookup` done: nil when the store holds no such session.
    case found(ClientID, SessionCheckpoint?)
    /// The store could not be asked (down, timed out): the request was not carried out.
    case unavailable(ClientID)
}

/// How the engine shares its sessions, and what sharing cost and met.
package struct SessionSharing {
    /// Most datagrams held while their session is looked up or created; beyond it, such a
    /// datagram is dropped (and counted): the client sends again.
    package static let maxAwaiting = 4_096
    /// Most requests queued for the store between two drains; beyond it a refresh is dropped
    /// (the next one carries the same state) and a lookup or creation is not started.
    package static let maxQueuedRequests = 16_384

    /// A session's checkpoint is rewritten when its `lastHeard` enters a new period of this
    /// length, so at most once per period and session, and a stored `lastHeard` is never more
    /// than one period behind the truth.
    package let checkpointPeriod: Nanoseconds
    /// Two seconds: an adopting server's estimate of `lastHeard` (the middle of the period) is
    /// within a second of the truth, and a paced client costs at most one write per two seconds.
    package static let defaultCheckpointPeriod = Nanoseconds.seconds(2 as UInt64)

    package struct Counters: Sendable, Equatable {
        package var created = 0, adopted = 0, lostRaces = 0, refreshes = 0, deletes = 0, lookups = 0
        package var notFound = 0, unavailable = 0, refusedUnavailable = 0, awaitingDropped = 0, requestsDropped = 0
        /// Copies dropped because the client showed that another server had moved the session on.
        package var staleDropped = 0
        package init() {}
    }
    package internal(set) var counters = Counters()

    enum Held {
        case open(OpenMessage)
        /// An ACK's ranges are a view into the receive buffer, which is reused as soon as the
        /// datagram is handled: they are copied out, and the message keeps none.
        case ack(AckMessage, ranges: [IndexRange])

        static func holding(_ ack: AckMessage) -> Held {
            var bare = ack
            bare.ranges = .empty
            return .ack(bare, ranges: Array(ack.ranges))
        }
    }
    struct Awaiting {
        var held: Held
        var source: PeerAddress
        var receivedBytes: Int
        /// The checkpoint this engine proposed, for a creation.
        var proposal: SessionCheckpoint?
    }
    var awaiting: [ClientID: Awaiting] = [:]
    /// Sessions this process completed lately: a client sends its DONE more than once, and the
    /// later copies must not cost a lookup each.
    static let recentCompletions = 4_096
    var completed = RecentSet<ClientID>(capacity: SessionSharing.recentCompletions)

    mutating func noteCompleted(_ id: ClientID) { completed.insert(id) }
    var requests: [StoreRequest] = []
    var requestsRead = 0

    package init(checkpointPeriod: Nanoseconds) {
        precondition(checkpointPeriod.value > 0)
        self.checkpointPeriod = checkpointPeriod
    }

    package var awaitingCount: Int { awaiting.count }
    package var queuedRequests: Int { requests.count - requestsRead }

    mutating func enqueue(_ request: StoreRequest) -> Bool {
        if requestsRead > 0 && requestsRead == requests.count { requests.removeAll(keepingCapacity: true); requestsRead = 0 }
        guard requests.count - requestsRead < Self.maxQueuedRequests else {
            counters.requestsDropped += 1
            return false
        }
        requests.append(request)
        return true
    }

    mutating func next() -> StoreRequest? {
        guard requestsRead < requests.count else { return nil }
        requestsRead += 1
        return requests[requestsRead - 1]
    }

    /// Whether moving `lastHeard` from `previous` to `now` enters a new checkpoint period.
    func isCheckpointDue(previous: Instant, now: Instant) -> Bool {
        previous.nanoseconds / checkpointPeriod.value != now.nanoseconds / checkpointPeriod.value
    }
}
