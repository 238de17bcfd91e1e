import Glibc
import NumbersProtocol
import NumbersRedis
import Synchronization

/// The server's thread for Redis. The event loop hands it the engine's store requests and takes
/// back the answers, once per turn, without ever waiting for Redis: a slow or dead Redis delays
/// only the sessions that wait for it (creations and adoptions), never the UDP loop or the
/// sessions it already serves. Requests that pile up while Redis answers go out together as one
/// pipeline.
package final class SharedStoreLink: Sendable {
    /// Most requests in one pipeline, so that one exchange stays well inside the timeout.
    package static let maxPipeline = 1_024

    private final class Shared: Sendable {
        let requests = Mutex<[StoreRequest]>([])
        let answers = Mutex<[StoreAnswer]>([])
        let stopping = Atomic<Bool>(false)
        let commands = Atomic<Int>(0)
        let failedExchanges = Atomic<Int>(0)
        let wakeup: Wakeup
        init(wakeup: Wakeup) { self.wakeup = wakeup }
    }

    package let endpoint: RedisEndpoint
    private let shared: Shared
    private let thread: Mutex<JoinableThread?>

    /// Starts the thread. `loopWakeup` is signalled whenever answers are ready.
    /// - Parameter log: called on the link's thread with a line worth logging (Redis lost, back).
    package init(endpoint: RedisEndpoint, layout: RedisCheckpoints, timeout: Double, loopWakeup: Wakeup?,
                log: @escaping @Sendable (String) -> Void) throws(SocketError) {
        self.endpoint = endpoint
        let shared = Shared(wakeup: try Wakeup())
        self.shared = shared
        let started = try JoinableThread {
            Self.work(shared, endpoint: endpoint, layout: layout, timeout: timeout, loopWakeup: loopWakeup, log: log)
        }
        thread = Mutex(started)
    }

    /// Redis commands sent so far (for cost accounting).
    package var commandsSent: Int { shared.commands.load(ordering: .relaxed) }
    package var failedExchanges: Int { shared.failedExchanges.load(ordering: .relaxed) }

    /// Called by the event loop each turn: queues the engine's requests, hands it the answers.
    package func exchange<Store: SessionStore>(_ engine: inout ServerEngine<Store>, now: Instant) {
        if let first = engine.pollStoreRequest() {
            shared.requests.withLock { queue in
                queue.append(first)
                while let next = engine.pollStoreRequest() { queue.append(next) }
            }
            shared.wakeup.signal()
        }
        let answers = shared.answers.withLock { pending -> [StoreAnswer] in
            guard !pending.isEmpty else { return [] }
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        for answer in answers { engine.storeAnswered(answer, now: now) }
    }

    /// Stops and joins the thread. Requests already queued (hand the engine's last ones over with
    /// `exchange` first) go out in one last pass, so that a server stopped right after a session
    /// completed still deletes its checkpoint; a pass that fails is not retried, so a dead Redis
    /// delays the stop by one timeout at most.
    package func stop() {
        shared.stopping.store(true, ordering: .releasing)
        shared.wakeup.signal()
        thread.withLock { $0?.join(); $0 = nil }
    }

    deinit { stop() }

    private static func work(_ shared: Shared, endpoint: RedisEndpoint, layout: RedisCheckpoints, timeout: Double,
                             loopWakeup: Wakeup?, log: @Sendable (String) -> Void) {
        let client = RedisClient(endpoint: endpoint, timeout: timeout)
        var reachable = true
        while true {
            let stopping = shared.stopping.load(ordering: .acquiring)
            if !stopping {
                var entry = pollfd(fd: shared.wakeup.descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, 1_000)
                shared.wakeup.drain()
            }
            while true {
                let batch = shared.requests.withLock { queue -> [StoreRequest] in
                    let count = min(queue.count, maxPipeline)
                    defer { queue.removeFirst(count) }
                    return Array(queue[0..<count])
                }
                if batch.isEmpty { break }
                var answers: [StoreAnswer] = []
                do throws(RedisError) {
                    let replies = try client.pipeline(batch.map(layout.command(for:)))
                    shared.commands.add(batch.count, ordering: .relaxed)
                    if !reachable {
                        reachable = true
                        log("redis \(endpoint): reachable again; sessions are shared and new ones accepted")
                    }
                    for (request, reply) in zip(batch, replies) {
                        let (answer, note) = layout.answer(to: request, reply: reply)
                        if let answer { answers.append(answer) }
                        if let note { log(note) }
                    }
                } catch {
                    shared.failedExchanges.add(1, ordering: .relaxed)
                    if reachable {
                        reachable = false
                        log("redis \(endpoint): \(error); sessions held here are still served, new sessions are refused and none can be taken over until it is back")
                    }
                    answers = batch.compactMap(layout.unreachable)
                    if stopping { return }
                }
                if !answers.isEmpty {
                    shared.answers.withLock { $0.append(contentsOf: answers) }
                    loopWakeup?.signal()
                }
            }
            if stopping { return }
        }
    }
}
