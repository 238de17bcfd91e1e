import NumbersProtocol
import Testing
@testable import NumbersTransport

/// A store of our own, as an embedder (or a shared-store backend) would bring: it keeps its
/// sessions in the in-memory store and remembers what the engine asked of it.
struct JournalingStore: SessionStore, Sendable {
    var inner = InMemorySessionStore()
    var inserted: [ClientID] = []
    var removed: [ClientID] = []
    var updates = 0

    var count: Int { inner.count }
    func session(_ id: ClientID) -> ServerSession? { inner.session(id) }
    mutating func insertIfAbsent(_ session: ServerSession) -> Bool {
        guard inner.insertIfAbsent(session) else { return false }
        inserted.append(session.clientID)
        return true
    }
    mutating func update<R>(_ id: ClientID, _ body: (inout ServerSession) -> R) -> R? {
        updates += 1
        return inner.update(id, body)
    }
    mutating func remove(_ id: ClientID) -> ServerSession? {
        removed.append(id)
        return inner.remove(id)
    }
}

@Suite("The server loop runs over any session store")
struct ServerLoopStoreTests {
    @Test func aTransferOverACustomStoreCompletesAndGoesThroughIt() throws {
        var client: ClientLoop?
        let server = try withServerLoop(store: JournalingStore()) { address, events in
            client = try runClient(count: 2_000, server: address)
            // The client finishes on the trailer; the server removes the session on its DONE.
            #expect(events.waitFor { if case .ended(_, _, _, .completed, _) = $0 { true } else { false } })
        }
        guard case .finished(let result)? = client?.engine.status else {
            Issue.record("client ended \(String(describing: client?.engine.status))")
            return
        }
        #expect(result.passed)
        let id = try #require(client?.engine.config.clientID)
        #expect(server.engine.store.inserted == [id])
        #expect(server.engine.store.removed == [id])   // completed sessions are removed
        #expect(server.engine.store.updates > 0)
        #expect(server.engine.store.count == 0)
    }
}
