import Testing
@testable import NumbersProtocol

/// The in-memory store against a dictionary model, through growth, shrinking and removals from
/// the middle of probe runs.
struct SessionStoreTests {
    private func session(_ id: ClientID, tag: UInt32) -> ServerSession {
        ServerSession(clientID: id, seed: id.low, total: 10, tag: tag, window: 512,
                      address: PeerAddress(ipv4: (127, 0, 0, 1), port: 1), now: .zero)
    }

    @Test func randomOperationsAgreeWithADictionary() {
        var rng = SplitMix64(seed: 7)
        var store = InMemorySessionStore()
        var model: [ClientID: UInt32] = [:]
        var ids: [ClientID] = []
        for step in 0..<40_000 {
            let roll = rng.next() % 10
            // Grow for the first half, then mostly shrink, so both resizes happen.
            if roll < (step < 20_000 ? 6 : 2) || ids.isEmpty {
                let id = ClientID.random(using: &rng)
                let tag = UInt32(truncatingIfNeeded: rng.next())
                let first = store.insertIfAbsent(session(id, tag: tag))
                let second = store.insertIfAbsent(session(id, tag: tag &+ 1))
                #expect(first)
                #expect(!second, "a second insert must change nothing")
                model[id] = tag
                ids.append(id)
            } else if roll < 8 {
                let k = Int(rng.next() % UInt64(ids.count))
                ids.swapAt(k, ids.count - 1)
                let id = ids.removeLast()
                let removed = store.remove(id)
                let expected = model.removeValue(forKey: id)
                #expect(removed?.tag == expected)
                #expect(store.session(id) == nil)
                let again = store.remove(id)
                #expect(again == nil)
            } else {
                let id = ids[Int(rng.next() % UInt64(ids.count))]
                let tag = UInt32(truncatingIfNeeded: rng.next())
                let updated: Void? = store.update(id) { $0.tag = tag }
                #expect(updated != nil)
                model[id] = tag
            }
            if step % 997 == 0 {
                #expect(store.count == model.count)
                for (id, tag) in model { #expect(store.session(id)?.tag == tag) }
                #expect(Set(store.allSessions.map(\.clientID)) == Set(model.keys))
            }
        }
        #expect(store.count == model.count)
        for (id, tag) in model { #expect(store.session(id)?.tag == tag) }
    }

    @Test func unknownIDsAreAbsent() {
        var store = InMemorySessionStore()
        let id = ClientID(high: 1, low: 2)
        #expect(store.session(id) == nil)
        let updated: Void? = store.update(id) { $0.tag = 1 }
        #expect(updated == nil)
        let removed = store.remove(id)
        #expect(removed == nil)
        #expect(store.count == 0)
    }
}
